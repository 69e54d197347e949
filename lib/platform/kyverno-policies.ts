import { MANAGED_BY_TERRAFORM } from "../config/labels";
import { mirrorBase } from "../config/registry-mirror";
import { TENANT_PRIORITY_CLASS } from "../config/tenants";
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
const PODS_ONLY: readonly AdmissionPolicyName[] = ["require-requests-limits", "tenant-priority-class"];

/**
 * Who may still change what Terraform owns in tenant namespaces: Terraform itself (its admin certificate's group,
 * ADMIN_GROUP in lib/cluster/cluster-pki.ts), the break-glass superuser group, and kube-controller-manager's
 * controllers (kubeadm runs each as a kube-system ServiceAccount: the namespace controller deletes a namespace's
 * objects, the garbage collector follows owners).
 */
export const TERRAFORM_OWNER_GROUPS = ["kubeadm:cluster-admins", "system:masters", "system:serviceaccounts:kube-system"] as const;
/** The kinds Terraform creates inside a tenant namespace (lib/tenants/tenant-stage.ts, ci-access.ts). */
export const TERRAFORM_OWNED_KINDS = ["NetworkPolicy", "ResourceQuota", "LimitRange", "RoleBinding", "ServiceAccount"] as const;
const [MANAGED_BY_KEY, MANAGED_BY_VALUE] = Object.entries(MANAGED_BY_TERRAFORM)[0];

/**
 * The same scope as CEL match conditions, evaluated by the API server before it calls Kyverno: Terraform's own
 * requests (and the controllers') never reach the webhook, so with Kyverno down (failurePolicy Fail) Terraform still
 * applies and a namespace still deletes; only others' changes to a Terraform-owned object wait.
 */
export function terraformObjectMatchConditions(): { name: string; expression: string }[] {
  const groups = TERRAFORM_OWNER_GROUPS.map((g) => `'${g}'`).join(", ");
  return [
    {
      name: "terraform-owned",
      expression: `oldObject != null && has(oldObject.metadata.labels) && '${MANAGED_BY_KEY}' in oldObject.metadata.labels && oldObject.metadata.labels['${MANAGED_BY_KEY}'] == '${MANAGED_BY_VALUE}'`,
    },
    { name: "not-by-terraform", expression: `!has(request.userInfo.groups) || !request.userInfo.groups.exists(g, g in [${groups}])` },
  ];
}

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
    case "protect-terraform-objects":
      // A tenant's `edit` may delete NetworkPolicies, its `admin` RoleBindings: what Terraform created stays as written
      // until the next apply (default-deny deleted would open the namespace until then). The old object's label decides,
      // so removing the label in the same update does not help.
      return [
        {
          name: "terraform-owned-objects",
          match: { any: [{ resources: { kinds: [...TERRAFORM_OWNED_KINDS], operations: ["UPDATE", "DELETE"] } }] },
          exclude: { any: [{ subjects: TERRAFORM_OWNER_GROUPS.map((name) => ({ kind: "Group", name })) }] },
          preconditions: { all: [{ key: `{{ request.oldObject.metadata.labels."${MANAGED_BY_KEY}" || '' }}`, operator: "Equals", value: MANAGED_BY_VALUE }] },
          validate: {
            message: `This object belongs to Terraform (label ${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}): change it in the environment's config (tenants), or add your own object beside it.`,
            deny: { conditions: { any: [{ key: "{{ request.operation }}", operator: "AnyIn", value: ["UPDATE", "DELETE"] }] } },
          },
        },
      ];
    case "tenant-priority-class":
      // The Priority admission plugin resolves priorityClassName before any webhook and gives a class-less pod
      // priority 0. A webhook's change re-runs the in-tree plugins (admission reinvocation), which then refuse a pod
      // whose priority differs from its class's ("the integer value of priority (0) must not be provided"): so the
      // patch sets the class, its value and its preemption policy together. CREATE only: the fields are immutable.
      return [
        {
          name: "tenant-default-priority",
          match: { any: [{ resources: { kinds: ["Pod"], operations: ["CREATE"] } }] },
          preconditions: { all: [{ key: "{{ request.object.spec.priorityClassName || '' }}", operator: "Equals", value: "" }] },
          mutate: {
            patchStrategicMerge: {
              spec: { priorityClassName: TENANT_PRIORITY_CLASS.name, priority: TENANT_PRIORITY_CLASS.value, preemptionPolicy: TENANT_PRIORITY_CLASS.preemptionPolicy },
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

const isMutation = (rules: readonly Rule[]) => rules.every((r) => r.mutate !== undefined);

const resourcesPattern = { resources: { requests: { cpu: "?*", memory: "?*" }, limits: { cpu: "?*", memory: "?*" } } };

/** Policies that read the API server or the admission request (old object, user) cannot run in background scans. */
const ADMISSION_ONLY: readonly AdmissionPolicyName[] = ["require-pdb", "protect-terraform-objects", "tenant-priority-class"];
/** Policies whose webhook the API server calls only for their CEL match conditions. */
const MATCH_CONDITIONS: Partial<Record<AdmissionPolicyName, () => { name: string; expression: string }[]>> = {
  "protect-terraform-objects": terraformObjectMatchConditions,
};

/** A rule's exclusions: the exempt namespaces and pods, plus its own (e.g. subjects). */
function excludeOf(rule: Rule): Rule {
  const own = (rule.exclude as { any?: unknown[] } | undefined)?.any ?? [];
  return { any: [...exemptions.any, ...own] };
}

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
          webhookConfiguration: {
            // A mutation never blocks: without Kyverno a tenant pod only misses its lower priority.
            failurePolicy: mode === "Enforce" && !isMutation(rules) ? "Fail" : "Ignore",
            timeoutSeconds: 10,
            ...(MATCH_CONDITIONS[name] ? { matchConditions: MATCH_CONDITIONS[name]!() } : {}),
          },
          rules: rules.map((rule) => ({
            ...rule,
            exclude: excludeOf(rule),
            ...(rule.validate ? { validate: { ...(rule.validate as Record<string, unknown>), failureAction: mode } } : {}),
          })),
        },
      },
    ];
  });
}
