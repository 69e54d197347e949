import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../../lib/config/problems";
import { prodCopy } from "../helpers/environments";
import { problemsOf } from "../helpers/problems";
import { resourcesByPath, synthEnvironments } from "../helpers/synth";

/** The shipped prod runs the template of packer/manifest.json (Kubernetes 1.35.9). */
const OLD = "1.35.9";
const named = (version: string) => ({ name: `rocky9-k8s-${version}-20261201`, os: "rocky-9", diskGiB: 40, kubernetesVersion: version });

/** prod with the control plane rolling to `version` (controlPlane.template), the environment's template unchanged. */
function controlPlaneRollingTo(version: string): any {
  const env = prodCopy();
  env.controlPlane.template = named(version);
  env.kubernetes.version = version;
  return env;
}

function fitProblems(env: unknown): readonly string[] {
  try {
    synthEnvironments([env]);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

/** bootstrap.env of a node, from the rendered cloud-config. */
function bootstrapEnv(outdir: string, node: string): string {
  const doc = parse(readFileSync(join(outdir, "rendered", "prod", `${node}.cloud-config.yaml`), "utf8"));
  return doc.write_files.find((f: { path: string }) => f.path === "/etc/kubernetes/bootstrap/bootstrap.env").content;
}

describe("an upgrade in progress: the control plane on a new template, the pools on the old one", () => {
  const before = synthEnvironments([prodCopy()]).stacks.prod;
  const { outdir, stacks } = synthEnvironments([controlPlaneRollingTo("1.36.1")]);
  const prod = stacks.prod;
  const vms = resourcesByPath(prod, "vsphere_virtual_machine");
  const templates = resourcesByPath(prod.data ? { resource: prod.data } : {}, "vsphere_virtual_machine");

  it("keeps the environment's template at its address and reads the control plane's through a data source of its own", () => {
    const [oldAddress] = Object.keys(before.data.vsphere_virtual_machine);
    expect(prod.data.vsphere_virtual_machine[oldAddress].name).toBe(`rocky9-k8s-${OLD}-20261101T0900`);
    expect(templates["template-control-plane/vm"].name).toBe("rocky9-k8s-1.36.1-20261201");
    const newAddress = Object.keys(prod.data.vsphere_virtual_machine).find((k) => k !== oldAddress);
    expect(vms["cluster/control-plane/node-1"].clone.template_uuid).toBe(`\${data.vsphere_virtual_machine.${newAddress}.id}`);
    expect(vms["cluster/workers-general/node-1"].clone.template_uuid).toBe(`\${data.vsphere_virtual_machine.${oldAddress}.id}`);
    // Existing nodes still ignore the template: nothing is replaced until a revision is bumped.
    expect(vms["cluster/control-plane/node-1"].lifecycle.ignore_changes).toContain("clone[0].template_uuid");
  });

  it("tells each node the version of its own template (the bootstrap compares it with the cluster's)", () => {
    expect(bootstrapEnv(outdir, "prod-control-plane-2")).toContain("KUBERNETES_VERSION='1.36.1'");
    expect(bootstrapEnv(outdir, "prod-general-1")).toContain(`KUBERNETES_VERSION='${OLD}'`);
  });

  it("writes the control plane's target version into kubeadm-config", () => {
    const cm = Object.values<any>(prod.resource.kubernetes_config_map_v1_data)[0];
    expect(cm.data.ClusterConfiguration).toContain("kubernetesVersion: v1.36.1");
  });
});

describe("version-skew policy: one ConfigError line per problem", () => {
  it("refuses a control plane that skips a minor", () => {
    expect(fitProblems(controlPlaneRollingTo("1.37.0"))).toEqual([
      `prod.controlPlane.template: "rocky9-k8s-1.37.0-20261201" carries Kubernetes 1.37.0, more than one minor above the ${OLD} the control-plane nodes not yet rebuilt run ("rocky9-k8s-${OLD}-20261101T0900"): upgrade one minor at a time, first to a 1.36.x template`,
    ]);
  });

  it("refuses a control plane downgrade", () => {
    expect(fitProblems(controlPlaneRollingTo("1.34.3"))).toEqual([
      `prod.controlPlane.template: "rocky9-k8s-1.34.3-20261201" carries Kubernetes 1.34.3, older than the ${OLD} of the environment's template "rocky9-k8s-${OLD}-20261101T0900": a control plane is never downgraded; use a template of ${OLD} or newer`,
    ]);
  });

  it("refuses workers on the new version while the control plane still rolls (a scale-up would join too new)", () => {
    const env = controlPlaneRollingTo("1.36.1");
    env.workers[1].template = named("1.36.1");
    expect(fitProblems(env)).toEqual([
      `prod.workers[1].template: "rocky9-k8s-1.36.1-20261201" carries kubelet 1.36.1, newer than the oldest API server (${OLD}, "rocky9-k8s-${OLD}-20261101T0900"): a kubelet is never newer than the API server; the control plane is still rolling to 1.36.1 (controlPlane.template): once every control-plane node is rebuilt, make "rocky9-k8s-1.36.1-20261201" the environment's template and remove controlPlane.template, then roll the pools`,
    ]);
  });

  it("accepts the pools following once the new template is the environment's, and a pool held back within the skew", () => {
    const env = prodCopy();
    env.template = named("1.36.1");
    env.kubernetes.version = "1.36.1";
    env.workers[0].template = named("1.35.9");
    expect(() => synthEnvironments([env])).not.toThrow();
  });

  it("refuses a pool more than three minors behind, and a cluster version that differs from the control plane's template", () => {
    const env = prodCopy();
    env.template = named("1.36.1");
    env.kubernetes.version = "1.36.2";
    env.workers[0].template = named("1.32.4");
    expect(fitProblems(env)).toEqual([
      `prod.kubernetes.version: "1.36.2" differs from the node template "rocky9-k8s-1.36.1-20261201", built for Kubernetes "1.36.1" (config); set kubernetes.version to "1.36.1" or build a template for "1.36.2" (packer/)`,
      `prod.workers[0].template: "rocky9-k8s-1.32.4-20261201" carries kubelet 1.32.4, more than 3 minors behind the control plane's 1.36.1: roll this pool to a newer template before the control plane goes further`,
    ]);
  });

  it("validates a pool's template like the environment's", () => {
    const env = prodCopy();
    env.controlPlane.template = { name: "x", os: "rocky-9", diskGiB: 40, kubernetesVersion: "1.36" };
    env.workers[0].template = { manifest: 7 };
    expect(problemsOf(env)).toEqual(
      expect.arrayContaining([
        'prod.controlPlane.template.kubernetesVersion: "1.36" is not an exact Kubernetes version; write x.y.z',
        expect.stringMatching(/^prod\.workers\[0\]\.template\.manifest: /),
      ]),
    );
  });
});
