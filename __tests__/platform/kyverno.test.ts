import Ajv from "ajv";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { mirrorBase } from "../../lib/config/registry-mirror";
import { ADMISSION_POLICY_NAMES, type SecurityConfig } from "../../lib/config/security";
import { exemptNamespaceNames, POLICY_EXEMPTIONS, TERRAFORM_OWNED_KINDS, TERRAFORM_OWNER_GROUPS } from "../../lib/platform/kyverno-policies";
import { ADMIN_GROUP } from "../../lib/cluster/cluster-pki";
import { TENANT_PRIORITY_CLASS } from "../../lib/config/tenants";
import { NAMESPACE, PLATFORM_NAMESPACES } from "../../lib/platform/names";
import { PLATFORM_RELEASE_NAMESPACES } from "../../lib/platform/namespaces";
import { POD_LABELS } from "../../lib/platform/network-policies";
import { closedCrdSchema } from "../helpers/crd-schema";
import { problemsOf } from "../helpers/problems";
import { environment, MIRROR } from "./fixtures";
import { synthPlatform, type SynthResult } from "./synth";
import { CHARTS_DIR } from "./upstream";

/**
 * Kyverno's ClusterPolicy CRD of the pinned chart (its crds subchart at kyverno-chart-3.9.0) as a validator: the
 * file is a Helm template, so the `{{ }}` lines (an `if` around the document, labels and annotations) are dropped
 * first. Objects that list their properties are closed, as strict field validation (kubectl --validate=strict) would
 * refuse a misspelt field the API server otherwise prunes silently.
 */
function clusterPolicyValidator(): (obj: Record<string, any>) => string[] {
  const text = readFileSync(join(CHARTS_DIR, "kyverno", "crds", "kyverno.io_clusterpolicies.yaml"), "utf8");
  const crd = parse(text.split("\n").filter((line) => !line.includes("{{")).join("\n"));
  const version = crd.spec.versions.find((v: any) => v.served && v.storage);
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(closedCrdSchema(version.schema.openAPIV3Schema) as object);
  return (obj) => {
    const problems: string[] = [];
    if (obj.apiVersion !== `${crd.spec.group}/${version.name}`) problems.push(`apiVersion ${obj.apiVersion}, CRD stores ${crd.spec.group}/${version.name}`);
    if (obj.kind !== crd.spec.names.kind) problems.push(`kind ${obj.kind}, CRD is ${crd.spec.names.kind}`);
    if (obj.metadata?.namespace !== undefined) problems.push("a ClusterPolicy has no namespace");
    if (!validate(obj)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
    return problems;
  };
}
const clusterPolicy = clusterPolicyValidator();

const policiesOf = (s: SynthResult): Record<string, any>[] => (s.releases["admission-policies"].values as any).resources;
const withSecurity = (env: ReturnType<typeof environment>, security: SecurityConfig) => ({ ...env, security: { ...env.security, ...security } });

const sandbox = synthPlatform(environment("sandbox"));
const prod = synthPlatform(environment("prod"));
const prodMirror = synthPlatform(environment("prod", { mirror: true }));

describe.each([
  ["sandbox", sandbox],
  ["prod", prod],
  ["prod with mirror", prodMirror],
] as const)("admission policies (%s)", (_label, synth) => {
  const policies = policiesOf(synth);

  it("every ClusterPolicy validates against the pinned chart's CRD schema", () => {
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) expect([p.metadata.name, clusterPolicy(p)]).toEqual([p.metadata.name, []]);
  });

  it("every rule excludes every exempt namespace and cert-manager's ACME solver pods (same label as the platform's NetworkPolicies), nothing else but Terraform's own requests", () => {
    const exempt = [{ resources: { namespaces: Object.keys(POLICY_EXEMPTIONS) } }, { resources: { selector: { matchLabels: POD_LABELS.acmeSolver } } }];
    for (const policy of policies) {
      const owners = policy.metadata.name === "protect-terraform-objects" ? [{ subjects: TERRAFORM_OWNER_GROUPS.map((name) => ({ kind: "Group", name })) }] : [];
      for (const rule of policy.spec.rules) expect([policy.metadata.name, rule.exclude]).toEqual([policy.metadata.name, { any: [...exempt, ...owners] }]);
    }
  });

  it("no Kyverno variable contains a Terraform interpolation (the values pass through cdk.tf.json)", () => {
    expect(JSON.stringify(policies)).not.toMatch(/[$%]\{/);
  });
});

describe("modes per tier and per policy", () => {
  // The validating policies' modes (the mutation has none: tenant-priority-class is checked apart).
  const modes = (s: SynthResult) =>
    Object.fromEntries(
      policiesOf(s)
        .filter((p) => p.metadata.name !== "tenant-priority-class")
        .map((p) => [p.metadata.name, [...new Set(p.spec.rules.map((r: any) => r.validate.failureAction))].join()]),
    );
  const failurePolicies = (s: SynthResult, except: string[] = []) =>
    new Set(policiesOf(s).filter((p) => !except.includes(p.metadata.name)).map((p) => p.spec.webhookConfiguration.failurePolicy));
  const { "protect-terraform-objects": protect, ...tierModes } = { "protect-terraform-objects": "", ...modes(sandbox) };

  it("sandbox and dev audit (webhook failurePolicy Ignore: an audit never blocks); prod enforces and fails closed", () => {
    expect(new Set(Object.values(tierModes))).toEqual(new Set(["Audit"]));
    const dev = modes(synthPlatform(environment("dev")));
    expect(new Set(Object.entries(dev).filter(([n]) => n !== "protect-terraform-objects").map(([, m]) => m))).toEqual(new Set(["Audit"]));
    expect(failurePolicies(sandbox, ["protect-terraform-objects"])).toEqual(new Set(["Ignore"]));
    expect(new Set(Object.values(modes(prod)))).toEqual(new Set(["Enforce"]));
    expect(failurePolicies(prod, ["tenant-priority-class"])).toEqual(new Set(["Fail"]));
  });

  it("protect-terraform-objects enforces on every tier, whatever the mode, and fails closed; the priority mutation never blocks", () => {
    expect(protect).toBe("Enforce");
    for (const s of [sandbox, prod, synthPlatform(withSecurity(environment("dev"), { admissionPolicies: { mode: "Audit" } }))]) {
      const byName = Object.fromEntries(policiesOf(s).map((p) => [p.metadata.name, p]));
      expect(byName["protect-terraform-objects"].spec.rules[0].validate.failureAction).toBe("Enforce");
      expect(byName["protect-terraform-objects"].spec.webhookConfiguration.failurePolicy).toBe("Fail");
      expect(byName["tenant-priority-class"].spec.webhookConfiguration.failurePolicy).toBe("Ignore");
    }
    // Its own setting still wins (an escape hatch, e.g. while a namespace is repaired by hand).
    const off = synthPlatform(withSecurity(environment("prod"), { admissionPolicies: { policies: { "protect-terraform-objects": "Off", "tenant-priority-class": "Off" } } }));
    expect(policiesOf(off).map((p) => p.metadata.name)).not.toEqual(expect.arrayContaining(["protect-terraform-objects"]));
    expect(policiesOf(off).map((p) => p.metadata.name)).not.toContain("tenant-priority-class");
  });

  it("every policy is installed; mirror-images-only only where there is a mirror", () => {
    const names = (s: SynthResult) => policiesOf(s).map((p) => p.metadata.name).sort();
    const others = ADMISSION_POLICY_NAMES.filter((n) => n !== "mirror-images-only");
    expect(names(prod)).toEqual([...others].sort());
    expect(names(prodMirror)).toEqual([...ADMISSION_POLICY_NAMES].sort());
  });

  it("a per-policy override wins over the mode; Off removes the policy", () => {
    const env = withSecurity(environment("prod", { mirror: true }), { admissionPolicies: { policies: { "require-pdb": "Audit", "require-probes": "Off" } } });
    const m = modes(synthPlatform(env));
    expect(m["require-pdb"]).toBe("Audit");
    expect(m["require-probes"]).toBeUndefined();
    expect(m["disallow-latest-tag"]).toBe("Enforce");
    const audited = policiesOf(synthPlatform(env)).find((p) => p.metadata.name === "require-pdb")!;
    expect(audited.spec.webhookConfiguration.failurePolicy).toBe("Ignore");
  });

  it("the mode can be set for the whole environment", () => {
    const env = withSecurity(environment("sandbox"), { admissionPolicies: { mode: "Enforce" } });
    expect(new Set(Object.values(modes(synthPlatform(env))))).toEqual(new Set(["Enforce"]));
    const audit = modes(synthPlatform(withSecurity(environment("prod"), { admissionPolicies: { mode: "Audit" } })));
    expect(Object.entries(audit).filter(([, m]) => m === "Enforce").map(([n]) => n)).toEqual(["protect-terraform-objects"]);
  });
});

describe("what the policies check", () => {
  const byName = Object.fromEntries(policiesOf(prodMirror).map((p) => [p.metadata.name, p]));
  const ruleOf = (name: string) => byName[name].spec.rules[0];

  it("images only from the mirror, in every container list", () => {
    const spec = ruleOf("mirror-images-only").validate.pattern.spec;
    const expected = [{ image: `${mirrorBase(MIRROR)}/*` }];
    expect(spec).toEqual({ "=(ephemeralContainers)": expected, "=(initContainers)": expected, containers: expected });
  });

  it("no latest or untagged image: Kyverno's parsed tags (untagged parses as latest) of every container list", () => {
    const conditions = ruleOf("disallow-latest-tag").validate.deny.conditions.any;
    expect(conditions.map((c: any) => c.value)).toEqual(["containers", "initContainers", "ephemeralContainers"].map((l) => `{{ images.${l}.*.tag || \`[]\` }}`));
    for (const c of conditions) expect([c.key, c.operator]).toEqual(["latest", "AnyIn"]);
  });

  it("requests and limits on Pods only (autogen off: a LimitRange fills Pods, never a Deployment's template)", () => {
    expect(byName["require-requests-limits"].metadata.annotations["pod-policies.kyverno.io/autogen-controllers"]).toBe("none");
    const resources = { resources: { requests: { cpu: "?*", memory: "?*" }, limits: { cpu: "?*", memory: "?*" } } };
    expect(ruleOf("require-requests-limits").validate.pattern.spec).toEqual({ "=(initContainers)": [resources], containers: [resources] });
  });

  it("liveness and readiness probes on every container", () => {
    const each = ruleOf("require-probes").validate.foreach[0];
    expect(each.list).toBe("request.object.spec.containers[]");
    expect(each.deny.conditions.any.map((c: any) => c.key)).toEqual(["livenessProbe", "readinessProbe"]);
  });

  it("replicated Deployments: a matching PodDisruptionBudget (API lookup at admission only) and a hostname spread", () => {
    const pdb = ruleOf("require-pdb");
    expect(pdb.match.any[0].resources.kinds).toEqual(["Deployment"]);
    expect(pdb.context[0].apiCall.urlPath).toBe("/apis/policy/v1/namespaces/{{ request.namespace }}/poddisruptionbudgets");
    expect(byName["require-pdb"].spec.background).toBe(false);
    const spread = ruleOf("require-topology-spread");
    expect(spread.preconditions.all[0]).toMatchObject({ operator: "GreaterThan", value: 1 });
    expect(spread.validate.deny.conditions.any[0].key).toContain("topologyKey=='kubernetes.io/hostname'");
  });

  it("Terraform's objects in tenant namespaces: no update or delete but by Terraform, the superusers and the controllers", () => {
    const policy = byName["protect-terraform-objects"];
    const rule = policy.spec.rules[0];
    expect(rule.match.any[0].resources).toEqual({ kinds: [...TERRAFORM_OWNED_KINDS], operations: ["UPDATE", "DELETE"] });
    // The old object's label decides (an update removing the label is still refused); deletes have no new object.
    expect(rule.preconditions.all).toEqual([{ key: '{{ request.oldObject.metadata.labels."app.kubernetes.io/managed-by" || \'\' }}', operator: "Equals", value: "terraform" }]);
    expect(rule.validate.deny.conditions.any).toEqual([{ key: "{{ request.operation }}", operator: "AnyIn", value: ["UPDATE", "DELETE"] }]);
    expect(policy.spec.background).toBe(false);
    // Terraform authenticates with the admin certificate of the cluster PKI: the same group is exempt.
    expect(TERRAFORM_OWNER_GROUPS).toContain(ADMIN_GROUP);
    // The API server filters first (match conditions), so Terraform's and the namespace controller's requests never wait for Kyverno.
    const conditions = policy.spec.webhookConfiguration.matchConditions;
    expect(conditions.map((c: any) => c.name)).toEqual(["terraform-owned", "not-by-terraform"]);
    for (const group of TERRAFORM_OWNER_GROUPS) expect(conditions[1].expression).toContain(`'${group}'`);
    expect(conditions[0].expression).toContain("oldObject.metadata.labels['app.kubernetes.io/managed-by'] == 'terraform'");
  });

  it("tenant pods that name no PriorityClass get tenant-default with its value and preemption policy (the Priority plugin re-checks them)", () => {
    const policy = byName["tenant-priority-class"];
    expect(policy.metadata.annotations["pod-policies.kyverno.io/autogen-controllers"]).toBe("none");
    const rule = policy.spec.rules[0];
    expect(rule.match.any[0].resources).toEqual({ kinds: ["Pod"], operations: ["CREATE"] });
    expect(rule.preconditions.all).toEqual([{ key: "{{ request.object.spec.priorityClassName || '' }}", operator: "Equals", value: "" }]);
    expect(rule.mutate.patchStrategicMerge.spec).toEqual({ priorityClassName: "tenant-default", priority: TENANT_PRIORITY_CLASS.value, preemptionPolicy: "PreemptLowerPriority" });
    expect(rule.validate).toBeUndefined();
  });

  it("no hostPath volume, no hostNetwork", () => {
    const [path, network] = byName["disallow-host-path-network"].spec.rules;
    expect(path.validate.pattern).toEqual({ spec: { "=(volumes)": [{ "X(hostPath)": "null" }] } });
    expect(network.validate.pattern).toEqual({ spec: { "=(hostNetwork)": "false" } });
  });
});

describe("exemptions", () => {
  it("every platform namespace, argocd, kyverno and kube-* are exempt, each with its reason", () => {
    expect(Object.keys(POLICY_EXEMPTIONS)).toEqual(expect.arrayContaining(["kube-*", ...PLATFORM_NAMESPACES.filter((n) => !n.startsWith("kube-")), NAMESPACE.argocd, NAMESPACE.kyverno]));
    for (const why of Object.values(POLICY_EXEMPTIONS)) expect(why.length).toBeGreaterThan(20);
    for (const ns of PLATFORM_RELEASE_NAMESPACES) expect(exemptNamespaceNames()).toContain(ns);
  });

  it("the API server does not even call Kyverno for them (webhook namespaceSelector), so a broken Kyverno never blocks the platform", () => {
    const selector = (prod.releases.kyverno.values as any).config.webhooks.namespaceSelector;
    expect(selector).toEqual({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: exemptNamespaceNames() }] });
    expect(exemptNamespaceNames()).toEqual(expect.arrayContaining(["kube-system", "kube-public", "kube-node-lease", "calico-system", "argocd", "kyverno"]));
  });
});

describe("the kyverno release", () => {
  const values = (s: SynthResult) => s.releases.kyverno.values as any;

  it("prod runs 3 admission controllers with a PodDisruptionBudget; sandbox one, without", () => {
    expect(values(prod).admissionController).toMatchObject({ replicas: 3, podDisruptionBudget: { enabled: true } });
    expect(values(prod).backgroundController.replicas).toBe(2);
    expect(values(sandbox).admissionController).toMatchObject({ replicas: 1, podDisruptionBudget: { enabled: false } });
  });

  it("its CRDs are kept on uninstall (tenants' own Policies and the reports survive)", () => {
    expect(values(prod).crds).toEqual({ annotations: { "helm.sh/resource-policy": "keep" } });
  });

  it("every controller is scraped by Prometheus (ServiceMonitor)", () => {
    for (const c of ["admissionController", "backgroundController", "cleanupController", "reportsController"]) expect(values(prod)[c].serviceMonitor.enabled).toBe(true);
  });

  it("installs after the pod network gate, its namespace and policies, and kube-prometheus-stack (ServiceMonitor CRD); the policies after Kyverno", () => {
    const deps = prod.releases.kyverno.dependsOn;
    expect(deps.some((d) => d.startsWith("terraform_data.platform_pod-network-ready"))).toBe(true);
    expect(deps.some((d) => d.startsWith("kubernetes_namespace_v1.platform_namespaces_kyverno"))).toBe(true);
    expect(deps.some((d) => d.startsWith("kubernetes_network_policy_v1.platform_network-policies_kyverno-webhooks-from-api-server"))).toBe(true);
    expect(deps).toContain(`helm_release.${prod.releases["kube-prometheus-stack"].address}`);
    expect(prod.releases["admission-policies"].dependsOn).toContain(`helm_release.${prod.releases.kyverno.address}`);
    expect(prod.releases["admission-policies"]).toMatchObject({ namespace: "kyverno", chart: "raw" });
  });

  it("no platform release waits for Kyverno (the platform is outside its webhook)", () => {
    const kyvernoRef = `helm_release.${prod.releases.kyverno.address}`;
    const waiting = Object.values(prod.releases).filter((r) => r.dependsOn.includes(kyvernoRef)).map((r) => r.name);
    expect(waiting).toEqual(["admission-policies"]);
  });
});

describe("security.admissionPolicies validation", () => {
  it.each<[string, unknown, RegExp]>([
    ["an unknown mode", { mode: "Warn" }, /prod\.security\.admissionPolicies\.mode: "Warn" is not one of Audit, Enforce/],
    ["an unknown policy", { policies: { "require-probe": "Off" } }, /prod\.security\.admissionPolicies\.policies\.require-probe: unknown field \(typo\?\); known fields here: mirror-images-only/],
    ["an unknown setting", { policies: { "require-pdb": "off" } }, /prod\.security\.admissionPolicies\.policies\.require-pdb: "off" is not one of Audit, Enforce, Off/],
    ["an unknown field", { mdoe: "Audit" }, /prod\.security\.admissionPolicies\.mdoe: unknown field/],
  ])("%s: one clear line", (_what, admissionPolicies, message) => {
    const env = { ...environment("prod"), security: { admissionPolicies } } as any;
    expect(problemsOf(env).join("\n")).toMatch(message);
  });
});

describe("the CRD check can fail", () => {
  const good = policiesOf(prod)[0];
  it("accepts a real policy and refuses a misspelt field, a wrong failureAction, a namespace, a wrong apiVersion", () => {
    expect(clusterPolicy(good)).toEqual([]);
    const rule = good.spec.rules[0];
    expect(clusterPolicy({ ...good, spec: { ...good.spec, rules: [{ ...rule, exlude: rule.exclude }] } }).join()).toMatch(/exlude/);
    expect(clusterPolicy({ ...good, spec: { ...good.spec, rules: [{ ...rule, validate: { ...rule.validate, failureAction: "Block" } }] } }).join()).toMatch(/allowed values/);
    expect(clusterPolicy({ ...good, metadata: { name: "x", namespace: "y" } }).join()).toMatch(/no namespace/);
    expect(clusterPolicy({ ...good, apiVersion: "kyverno.io/v2beta1" }).join()).toMatch(/apiVersion/);
  });
});
