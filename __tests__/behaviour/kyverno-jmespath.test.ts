import { spawnSync } from "node:child_process";
import { ADMISSION_POLICY_NAMES, type AdmissionPolicySetting } from "../../lib/config/security";
import { admissionPolicies } from "../../lib/platform/kyverno-policies";
import { describeWithTool } from "../tools";

/**
 * The JMESPath inside the admission policies, evaluated by python3-jmespath (Debian), an implementation of the
 * specification Kyverno's go-jmespath fork follows, on the data Kyverno gives it. No kyverno CLI exists in npm or
 * Debian, so this proves the expressions, not Kyverno: the `images` context is written as Kyverno's GetImageInfo
 * (pkg/utils/image/infos.go at kyverno-chart-3.9.0) builds it, where an untagged image gets the tag "latest".
 * Not evaluated here: require-pdb's label_match (a Kyverno-only function) and the patterns (Kyverno's own language).
 */
function evaluate(expression: string, data: unknown): unknown {
  const script = "import sys, json, jmespath\nq = json.load(sys.stdin)\nprint(json.dumps(jmespath.search(q['e'], q['d'])))";
  const run = spawnSync("python3", ["-c", script], { input: JSON.stringify({ e: expression, d: data }), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`jmespath failed on ${expression}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** `{{ expr }}` -> expr (a Kyverno variable). */
const inner = (variable: string) => /^\{\{\s*(.+?)\s*\}\}$/.exec(variable)![1];

const settings = Object.fromEntries(ADMISSION_POLICY_NAMES.map((n) => [n, "Enforce"])) as Record<(typeof ADMISSION_POLICY_NAMES)[number], AdmissionPolicySetting>;
const policies = admissionPolicies(settings, { host: "registry.example.internal:5050", pathPrefix: "mirror" }) as any[];
const rule = (name: string) => policies.find((p) => p.metadata.name === name).spec.rules[0];

/** Kyverno's image info of one reference, as GetImageInfo fills it (registry defaulted, tag "latest" when neither tag nor digest). */
const info = (registry: string, path: string, tag: string, digest = "") => ({ registry, path, name: path.split("/").pop(), tag, digest });

describeWithTool("python3", ["-c", "import jmespath"])("admission policy expressions, evaluated by a real JMESPath implementation", () => {
  describe("disallow-latest-tag: denied when any condition's list holds \"latest\" (AnyIn)", () => {
    const conditions = rule("disallow-latest-tag").validate.deny.conditions.any as { key: string; value: string }[];
    const denied = (images: unknown) => conditions.some((c) => (evaluate(inner(c.value), { images }) as string[]).includes(c.key));

    it.each<[string, boolean, unknown]>([
      ["pinned tags", false, { containers: { app: info("registry.example.internal:5050", "mirror/docker.io/library/nginx", "1.27.1") } }],
      ["a digest only (tag empty)", false, { containers: { app: info("docker.io", "library/nginx", "", "sha256:0123") } }],
      ["an explicit latest", true, { containers: { app: info("docker.io", "library/nginx", "latest") } }],
      ["untagged on a mirror host with a port (parsed as latest)", true, { containers: { app: info("registry.example.internal:5050", "mirror/app", "latest") } }],
      ["latest in an init container only", true, { containers: { app: info("docker.io", "x/app", "2") }, initContainers: { init: info("docker.io", "busybox", "latest") } }],
      ["latest in an ephemeral container", true, { containers: { app: info("docker.io", "x/app", "2") }, ephemeralContainers: { debug: info("docker.io", "busybox", "latest") } }],
      ["two pinned containers", false, { containers: { a: info("docker.io", "x/a", "1"), b: info("docker.io", "x/b", "2") } }],
    ])("%s -> denied: %s", (_what, expected, images) => {
      expect(denied(images)).toBe(expected);
    });
  });

  describe("require-topology-spread", () => {
    const r = rule("require-topology-spread");
    const count = inner(r.validate.deny.conditions.any[0].key);
    const replicas = inner(r.preconditions.all[0].key);
    const deployment = (spec: Record<string, unknown>) => ({ request: { object: { spec: { template: { spec } } } } });

    it("counts hostname spreads only; none is 0 (denied: LessThan 1)", () => {
      expect(evaluate(count, deployment({}))).toBe(0);
      expect(evaluate(count, deployment({ topologySpreadConstraints: [{ topologyKey: "topology.kubernetes.io/zone" }] }))).toBe(0);
      expect(evaluate(count, deployment({ topologySpreadConstraints: [{ topologyKey: "kubernetes.io/hostname", maxSkew: 1 }] }))).toBe(1);
    });

    it("a Deployment without replicas counts as 1 (the API default): the precondition (GreaterThan 1) skips it", () => {
      expect(evaluate(replicas, { request: { object: { spec: {} } } })).toBe(1);
      expect(evaluate(replicas, { request: { object: { spec: { replicas: 3 } } } })).toBe(3);
    });
  });

  describe("tenant-priority-class: only pods that name no class are patched (precondition Equals \"\")", () => {
    const key = inner(rule("tenant-priority-class").preconditions.all[0].key);
    it.each<[string, unknown, string]>([
      ["no priorityClassName", {}, ""],
      ["an empty priorityClassName (what the Priority plugin leaves without a global default)", { priorityClassName: "" }, ""],
      ["its own class", { priorityClassName: "batch-low" }, "batch-low"],
    ])("%s", (_what, spec, expected) => {
      expect(evaluate(key, { request: { object: { spec } } })).toBe(expected);
    });
  });

  describe("protect-terraform-objects: the old object's managed-by label, quoted key with dots and a slash", () => {
    const key = inner(rule("protect-terraform-objects").preconditions.all[0].key);
    it.each<[string, unknown, string]>([
      ["Terraform's NetworkPolicy", { metadata: { labels: { "app.kubernetes.io/managed-by": "terraform", "vsphere-kubeadm-platform/tenant": "shop" } } }, "terraform"],
      ["a Helm chart's", { metadata: { labels: { "app.kubernetes.io/managed-by": "Helm" } } }, "Helm"],
      ["an object without labels", { metadata: { name: "mine" } }, ""],
    ])("%s", (_what, oldObject, expected) => {
      expect(evaluate(key, { request: { oldObject } })).toBe(expected);
    });
  });

  describe("require-probes: each container's keys, denied when either probe is missing (AnyNotIn)", () => {
    const each = rule("require-probes").validate.foreach[0];
    const conditions = each.deny.conditions.any as { key: string; value: string }[];
    const denied = (container: Record<string, unknown>) => conditions.some((c) => !(evaluate(inner(c.value), { element: container }) as string[]).includes(c.key));

    it.each<[string, boolean, Record<string, unknown>]>([
      ["both probes", false, { name: "app", livenessProbe: { httpGet: { path: "/" } }, readinessProbe: { httpGet: { path: "/" } } }],
      ["liveness only", true, { name: "app", livenessProbe: { httpGet: { path: "/" } } }],
      ["no probe", true, { name: "app" }],
    ])("%s -> denied: %s", (_what, expected, container) => {
      expect(denied(container)).toBe(expected);
    });

    it("the foreach list is the Pod's containers", () => {
      const containers = [{ name: "a" }, { name: "b" }];
      expect(evaluate(each.list, { request: { object: { spec: { containers } } } })).toEqual(containers);
    });
  });
});
