import { mirrorBase } from "../config/registry-mirror";
import type { AdmissionMode, AdmissionPolicyName, AdmissionPolicySetting } from "../config/security";
import type { RegistryMirrorConfig } from "../config/types";
import { NAMESPACE, PLATFORM_NAMESPACES } from "./names";

/**
 * THE admission policies for tenant workloads, as Kyverno ClusterPolicies (kyverno.io/v1), adapted from Kyverno's
 * policy library (github.com/kyverno/policies): restrict-image-registries, disallow-latest-tag,
 * require-requests-limits, require-probes (best-practices), require-pdb and topologyspreadconstraints-policy (other),
 * disallow-host-path and disallow-host-namespaces (pod-security/baseline). Rules written against Pods are applied to
 * their controllers too (Kyverno's autogen), so a Deployment is judged when it is applied, not when its ReplicaSet
 * fails to create pods; the exceptions say why.
 */

/** Namespaces no policy applies to, each with its reason. Everything else is a tenant namespace. */
export const POLICY_EXEMPTIONS: Readonly<Record<string, string>> = {
  "kube-*": "the control plane's own (kube-system static pods and kube-proxy use hostPath and hostNetwork, images from registry.k8s.io through containerd's mirror)",
  ...Object.fromEntries(
    PLATFORM_NAMESPACES.filter((ns) => !ns.startsWith("kube-")).map((ns) => [ns, "a platform namespace: its charts are pinned, mirrored and reviewed here; several need host access (Calico, node-exporter, Ceph)"]),
  ),
  [NAMESPACE.argocd]: "a platform namespace (Argo CD's release); the GitOps project may not deploy into it",
  [NAMESPACE.kyverno]: "Kyverno itself: a policy that refused its own pods would leave the webhook down",
};

/** Exempt namespaces without wildcards: the webhook's namespaceSelector (NotIn takes names only). */
export function exemptNamespaceNames(): string[] {
  return [...new Set([...PLATFORM_NAMESPACES, NAMESPACE.argocd, NAMESPACE.kyverno])];
}

/** Rules on Pods: Kyverno's autogen adds the same rule for their controllers (Deployment, StatefulSet, Job...). */
const POD_KINDS = ["Pod"];
/** The policy-level annotation that turns autogen off (the rule then judges Pods only). */
const AUTOGEN_OFF = { "pod-policies.kyverno.io/autogen-controllers": "none" };
const PODS_ONLY: readonly AdmissionPolicyName[] = ["require-requests-limits"];

type Rule = Record<string, unknown>;

/**
 * Pods the platform itself starts in tenant namespaces, exempt by label: cert-manager's ACME HTTP-01 solver pods
 * (platform.tls acme) run next to the Ingress they answer for, from the mirrored acmesolver image, without probes.
 */
export const PLATFORM_PODS_IN_TENANT_NAMESPACES: Readonly<Record<string, string>> = { "acme.cert-manager.io/http01-solver": "true" };

const exemptions = {
  any: [{ resources: { namespaces: Object.keys(POLICY_EXEMPTIONS) } }, { resources: { selector: { matchLabels: { ...PLATFORM_PODS_IN_TENANT_NAMESPACES } } } }],
};
const match = (kinds: readonly string[]) => ({ any: [{ resources: { kinds: [...kinds] } }] });
/** Every container list of a Pod, `=(...)` for the optional ones (Kyverno's conditional anchor: checked if present). */
const eachContainerList = (element: Record<string, unknown>) => ({
  "=(ephemeralContainers)": [element],
  "=(initContainers)": [element],
  containers: [element],
});

/** Rules of one policy; undefined when the policy cannot apply to this environment (no mirror). */
function policyRules(name: AdmissionPolicyName, mirror: RegistryMirrorConfig | undefined): Rule[] | undefined {
  switch (name) {
    case "mirror-images-only":
      if (!mirror) return undefined;
      return [
        {
          name: "images-from-mirror",
          match: match(POD_KINDS),
          validate: { message: `Images must come from the registry mirror ${mirrorBase(mirror)}/ (air-gapped site).`, pattern: { spec: eachContainerList({ image: `${mirrorBase(mirror)}/*` }) } },
        },
      ];
    case "disallow-latest-tag":
      // Kyverno parses each image (images.<list>.<container>.tag) and gives an untagged one the tag "latest", so one
      // condition catches both; a pattern like "*:*" would pass an untagged image on a mirror host with a port.
      return [
        {
          name: "require-pinned-tag",
          match: match(POD_KINDS),
          validate: {
            message: "Images need a tag other than latest (or a digest): a mutable tag changes what runs without a review.",
            deny: {
              conditions: {
                any: ["containers", "initContainers", "ephemeralContainers"].map((list) => ({
                  key: "latest",
                  operator: "AnyIn",
                  value: `{{ images.${list}.*.tag || \`[]\` }}`,
                })),
              },
            },
          },
        },
      ];
    case "require-requests-limits":
      return [
        {
          name: "requests-and-limits",
          // Pods only: the tenant's LimitRange fills defaults into Pods at admission, never into a Deployment's
          // template, so judging the template would refuse what the LimitRange makes valid.
          match: match(["Pod"]),
          validate: {
            message: "Every container needs CPU and memory requests and limits (or a LimitRange that sets them).",
            pattern: { spec: { "=(initContainers)": [resourcesPattern], containers: [resourcesPattern] } },
          },
        },
      ];
    case "require-probes":
      return [
        {
          name: "liveness-and-readiness",
          match: match(POD_KINDS),
          preconditions: { all: [{ key: "{{ request.operation || 'BACKGROUND' }}", operator: "AnyIn", value: ["CREATE", "UPDATE", "BACKGROUND"] }] },
          validate: {
            message: "Every container needs a livenessProbe and a readinessProbe.",
            foreach: [
              {
                list: "request.object.spec.containers[]",
                deny: {
                  conditions: {
                    any: ["livenessProbe", "readinessProbe"].map((probe) => ({ key: probe, operator: "AnyNotIn", value: "{{ element.keys(@)[] }}" })),
                  },
                },
              },
            ],
          },
        },
      ];
    case "require-pdb":
      return [
        {
          name: "pdb-for-replicated-deployments",
          match: match(["Deployment"]),
          preconditions: {
            all: [
              { key: "{{ request.operation || 'BACKGROUND' }}", operator: "AnyIn", value: ["CREATE", "UPDATE"] },
              { key: "{{ request.object.spec.replicas || `1` }}", operator: "GreaterThan", value: 1 },
            ],
          },
          // A PodDisruptionBudget of the namespace whose selector matches the pod template's labels (the library's
          // require-pdb). Checked at admission only: it reads the API server (background: false on the policy).
          context: [
            {
              name: "pdbCount",
              apiCall: {
                urlPath: "/apis/policy/v1/namespaces/{{ request.namespace }}/poddisruptionbudgets",
                jmesPath: "items[?label_match(spec.selector.matchLabels, `{{ request.object.spec.template.metadata.labels }}`)] | length(@)",
              },
            },
          ],
          validate: {
            message: "A Deployment with more than one replica needs a PodDisruptionBudget selecting its pods (create the PDB first).",
            deny: { conditions: { any: [{ key: "{{ pdbCount }}", operator: "LessThan", value: 1 }] } },
          },
        },
      ];
    case "require-topology-spread":
      return [
        {
          name: "spread-replicated-deployments",
          match: match(["Deployment"]),
          preconditions: { all: [{ key: "{{ request.object.spec.replicas || `1` }}", operator: "GreaterThan", value: 1 }] },
          validate: {
            message: "A Deployment with more than one replica needs a topologySpreadConstraint on kubernetes.io/hostname (one node must not hold every replica).",
            deny: {
              conditions: {
                any: [
                  {
                    key: "{{ request.object.spec.template.spec.topologySpreadConstraints[?topologyKey=='kubernetes.io/hostname'] || `[]` | length(@) }}",
                    operator: "LessThan",
                    value: 1,
                  },
                ],
              },
            },
          },
        },
      ];
    case "disallow-host-path-network":
      return [
        {
          name: "no-host-path",
          match: match(POD_KINDS),
          validate: { message: "hostPath volumes are not allowed in tenant namespaces.", pattern: { spec: { "=(volumes)": [{ "X(hostPath)": "null" }] } } },
        },
        {
          name: "no-host-network",
          match: match(POD_KINDS),
          validate: { message: "hostNetwork is not allowed in tenant namespaces.", pattern: { spec: { "=(hostNetwork)": "false" } } },
        },
      ];
  }
}

const resourcesPattern = { resources: { requests: { cpu: "?*", memory: "?*" }, limits: { cpu: "?*", memory: "?*" } } };

/** Policies that read the API server during admission cannot run in background scans (no admission request). */
const ADMISSION_ONLY: readonly AdmissionPolicyName[] = ["require-pdb"];

/**
 * The ClusterPolicies of an environment: every policy not "Off" (and mirror-images-only only with a mirror), each rule
 * excluding the exempt namespaces. Enforce fails closed (webhook failurePolicy Fail): with Kyverno down, tenant
 * objects wait instead of slipping through; Audit never blocks (Ignore). Platform namespaces are outside the webhook
 * altogether (Kyverno's namespaceSelector), so a broken Kyverno never blocks the platform.
 */
export function admissionPolicies(settings: Readonly<Record<AdmissionPolicyName, AdmissionPolicySetting>>, mirror: RegistryMirrorConfig | undefined): Record<string, unknown>[] {
  return (Object.entries(settings) as [AdmissionPolicyName, AdmissionPolicySetting][]).flatMap(([name, setting]) => {
    if (setting === "Off") return [];
    const rules = policyRules(name, mirror);
    if (!rules) return [];
    const mode: AdmissionMode = setting;
    return [
      {
        apiVersion: "kyverno.io/v1",
        kind: "ClusterPolicy",
        metadata: {
          name,
          annotations: { "policies.kyverno.io/category": "vsphere-kubeadm-platform tenants", ...(PODS_ONLY.includes(name) ? AUTOGEN_OFF : {}) },
        },
        spec: {
          background: !ADMISSION_ONLY.includes(name),
          webhookConfiguration: { failurePolicy: mode === "Enforce" ? "Fail" : "Ignore", timeoutSeconds: 10 },
          rules: rules.map((rule) => ({ ...rule, exclude: exemptions, validate: { ...(rule.validate as Record<string, unknown>), failureAction: mode } })),
        },
      },
    ];
  });
}
