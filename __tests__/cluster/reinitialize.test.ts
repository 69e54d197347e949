import { parse } from "yaml";
import { allNodes } from "../../lib/config/pool-nodes";
import { validateEnvironment } from "../../lib/config/validate";
import { renderCloudConfig, runsKubeadmInit } from "../../lib/cluster/cloud-config";
import { placeholderSecrets } from "../../lib/cluster/secrets";
import { prodCopy } from "../helpers/environments";
import { prodLike } from "./fixtures";
import { synthCluster } from "./synth-helpers";
import { problemsOf } from "../helpers/problems";

/** controlPlane.reinitializeAtRevision: the one, explicit way to run `kubeadm init` again. */

const reinitialized = (revision: number, at: number) => {
  const env = prodCopy();
  env.controlPlane.nodeRevisions = { "prod-control-plane-1": revision };
  env.controlPlane.reinitializeAtRevision = at;
  return env;
};

describe("controlPlane.reinitializeAtRevision", () => {
  test("valid while the first node's revision equals it; that build (and only it) runs kubeadm init", () => {
    const env = validateEnvironment(reinitialized(2, 2));
    const init = allNodes(env).filter((n) => runsKubeadmInit(env, n));
    expect(init.map((n) => n.name)).toEqual(["prod-control-plane-1"]);
    const cloudConfig = parse(renderCloudConfig(env, init[0], placeholderSecrets())) as { write_files: { path: string; content: string }[] };
    const bootstrapEnv = cloudConfig.write_files.find((f) => f.path === "/etc/kubernetes/bootstrap/bootstrap.env")!.content;
    expect(bootstrapEnv).toContain("MODE='init'");
    expect(bootstrapEnv).toContain("NODE_REVISION='2'");
  });

  test("a revision that differs (the next rebuild) is one clear error: the path, both values, the fix", () => {
    expect(problemsOf(reinitialized(3, 2))).toEqual([
      'prod.controlPlane.reinitializeAtRevision: 2 but prod-control-plane-1 is at revision 3; it applies only to the build at that revision: set nodeRevisions["prod-control-plane-1"] to 2 to rebuild and re-initialize, or remove reinitializeAtRevision',
    ]);
    expect(problemsOf(reinitialized(0, 1))[0]).toContain("prod-control-plane-1 is at revision 0");
  });

  test("0 and strings are refused; worker pools have no such field", () => {
    expect(problemsOf(reinitialized(0, 0))).toEqual([
      "prod.controlPlane.reinitializeAtRevision: 0 must be a whole number >= 1: the revision of prod-control-plane-1 whose build re-runs kubeadm init",
    ]);
    expect(problemsOf(reinitialized(1, "1" as unknown as number))[0]).toContain('"1" must be a whole number >= 1');
    const env = prodCopy();
    env.workers[0].reinitializeAtRevision = 1;
    expect(problemsOf(env)[0]).toMatch(/^prod\.workers\[0\]\.reinitializeAtRevision: unknown field/);
  });

  test("the plan shows it: the readiness gate's input names the node and the revision", () => {
    const env = { ...prodLike, controlPlane: { ...prodLike.controlPlane, nodeRevisions: { "prod-control-plane-1": 1 }, reinitializeAtRevision: 1 } };
    const { json } = synthCluster(validateEnvironment(env));
    const [gate] = Object.values(json.resource.terraform_data as Record<string, { input: Record<string, string> }>);
    expect(gate.input.reinitialize).toBe("prod-control-plane-1 runs kubeadm init again at revision 1 (controlPlane.reinitializeAtRevision)");
    // Without it, the gate's input is unchanged (no plan diff for existing clusters).
    const plain = synthCluster(prodLike).json;
    expect(Object.values(plain.resource.terraform_data as Record<string, { input: Record<string, string> }>)[0].input).toEqual({ endpoint: "https://10.20.30.10:6443" });
  });
});
