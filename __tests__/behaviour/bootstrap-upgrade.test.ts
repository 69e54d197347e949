import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateEnvironment } from "../../lib/config/validate";
import type { EnvironmentConfig } from "../../lib/config/types";
import type { RenderOptions } from "../../lib/cluster/cloud-config";
import { prodLike } from "../cluster/fixtures";
import { describeWithTool } from "../tools";
import { BootstrapLab, type NodeRoot } from "./helpers/bootstrap-lab";
import { FAST, onLoopback } from "./helpers/loopback-env";

/**
 * A Kubernetes upgrade by rolling replacement, through the bootstrap the library renders (real etcd,
 * the kubeadm/kubectl stand-ins checking versions as kubeadm does; see helpers/stand-ins.ts). The cluster
 * starts at 1.33.4; "Terraform" is the test writing kubeadm-config's version ($LAB/cluster-version), as
 * KubeadmCluster's kubeadm-config resource does on apply. Addresses on 127.96.0.0/24.
 */
const OLD = "1.33.4";
const NEW = "1.34.2";
const template = (version: string) => ({ name: `rocky9-k8s-${version}`, os: "rocky-9", diskGiB: 40, kubernetesVersion: version });
const K = "/etc/kubernetes";

describeWithTool("etcd")("node bootstrap: upgrading Kubernetes by rebuilding nodes", () => {
  const base = onLoopback(prodLike, "127.96.0", "up");
  const cp = (i: number) => `up-control-plane-${i}`;
  /** The control plane rolling to `version` (controlPlane.template), nodes at the given revisions. */
  const rolling = (version: string, revisions: Record<string, number>): EnvironmentConfig =>
    validateEnvironment({
      ...base,
      controlPlane: { ...base.controlPlane, template: template(version), nodeRevisions: revisions },
      kubernetes: { ...base.kubernetes, version },
    });
  let lab: BootstrapLab;
  const state = (file: string) => readFileSync(join(lab.dir, file), "utf8").trim();
  const terraformWritesKubeadmConfig = (version: string) => writeFileSync(join(lab.dir, "cluster-version"), `${version}\n`);
  const staticPods = (n: NodeRoot) => /kube-apiserver:v([0-9.]+)/.exec(readFileSync(join(n.root, K, "manifests/kube-apiserver.yaml"), "utf8"))?.[1];
  /** A control-plane VM replaced: its etcd stops, the new one boots with `env`. */
  const rebuild = (name: string, env: EnvironmentConfig, options: RenderOptions = FAST): NodeRoot => {
    lab.stopEtcd(name);
    return lab.prepare(name, env, options);
  };
  const upgradeCommands = (name: string) => lab.kubeadm(name).filter((c) => c.includes(" upgrade "));

  beforeAll(async () => {
    lab = await BootstrapLab.start(base, FAST);
    const first = [cp(1), cp(2), cp(3)].map((n) => lab.prepare(n));
    const results = await Promise.all(first.map((n) => lab.run(n)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
  }, 180_000);
  afterAll(async () => {
    await lab?.stop();
  });

  test(`the first build at ${OLD} upgrades nothing`, () => {
    expect([state("cluster-version"), state("addons-version")]).toEqual([OLD, OLD]);
    for (const i of [1, 2, 3]) expect(upgradeCommands(cp(i))).toEqual([]);
  });

  test("leader: the first control-plane node rebuilt on the new template joins once kubeadm-config names its version, runs kubeadm upgrade apply, and retries it after a failure mid-upgrade", async () => {
    const n = rebuild(cp(1), rolling(NEW, { [cp(1)]: 1 }));
    expect(readFileSync(join(n.root, K, "bootstrap/bootstrap.env"), "utf8")).toContain(`KUBERNETES_VERSION='${NEW}'`);
    writeFileSync(join(lab.dir, "fail-upgrade-addons"), ""); // the stand-in's next upgrade apply fails after upload-config
    // Terraform's kubeadm-config write lands after the VM booted: until then kubeadm refuses the join.
    const r = await lab.run(n, {}, () => {
      const poll = setInterval(() => {
        if (!lab.log(n).includes("KubeletVersion")) return;
        clearInterval(poll);
        terraformWritesKubeadmConfig(NEW);
      }, 200);
    });
    expect(r.code).toBe(0);
    const log = lab.log(n);
    expect(log).toContain(`Kubelet version: "${NEW}" Control plane version: "${OLD}"`);
    expect(log).toContain(`upgrade leader: the cluster's add-ons run v${OLD}, this node's kubeadm v${NEW}: kubeadm upgrade apply v${NEW}`);
    expect(log).toContain(`kubeadm upgrade apply v${NEW} failed`);
    expect(log.indexOf(`cluster upgraded to v${NEW}`)).toBeGreaterThan(log.indexOf(`kubeadm upgrade apply v${NEW} failed`));
    const apply = `${cp(1)} kubeadm upgrade apply v${NEW} --yes --kubeconfig ${n.root}${K}/admin.conf`;
    expect(upgradeCommands(cp(1))).toEqual([apply, apply]);
    expect([state("cluster-version"), state("addons-version"), staticPods(n)]).toEqual([NEW, NEW, NEW]);
    expect(lab.members().map((m) => m.name).sort()).toEqual([cp(1), cp(2), cp(3)]);
  }, 120_000);

  test("follower: the next control-plane node joins at the new version and upgrades nothing cluster-wide", async () => {
    const n = rebuild(cp(2), rolling(NEW, { [cp(1)]: 1, [cp(2)]: 1 }));
    const r = await lab.run(n);
    expect(r.code).toBe(0);
    expect(upgradeCommands(cp(2))).toEqual([]);
    expect(lab.log(n)).toContain(`upgrade follower: the cluster runs v${NEW} and this node's control plane v${NEW}: nothing to upgrade`);
    expect(staticPods(n)).toBe(NEW);
  }, 120_000);

  test("follower that joined with a stale kubeadm-config (read before the leader's upload): kubeadm upgrade node", async () => {
    const n = rebuild(cp(3), rolling(NEW, { [cp(1)]: 1, [cp(2)]: 1, [cp(3)]: 1 }));
    const r = await lab.run(n, { LAB_JOIN_CONTROL_PLANE_VERSION: OLD });
    expect(r.code).toBe(0);
    expect(lab.log(n)).toContain(`upgrade follower: this node's control plane runs v${OLD}, kubeadm-config names v${NEW}: kubeadm upgrade node`);
    expect(upgradeCommands(cp(3))).toEqual([`${cp(3)} kubeadm upgrade node --kubeconfig ${n.root}${K}/admin.conf`]);
    expect(staticPods(n)).toBe(NEW);
    expect(state("addons-version")).toBe(NEW);
  }, 120_000);

  test("worker: rebuilt from the new template (now the environment's), it just joins at the new version", async () => {
    const after = validateEnvironment({
      ...base,
      template: template(NEW),
      kubernetes: { ...base.kubernetes, version: NEW },
      controlPlane: { ...base.controlPlane, nodeRevisions: { [cp(1)]: 1, [cp(2)]: 1, [cp(3)]: 1 } },
      workers: base.workers.map((p) => (p.name === "general" ? { ...p, nodeRevisions: { "up-general-1": 1 } } : p)),
    });
    const n = lab.prepare("up-general-1", after);
    const r = await lab.run(n);
    expect(r.code).toBe(0);
    expect(lab.log(n)).toContain(`kubeadm join (attempt 1, kubelet v${NEW})`);
    expect(upgradeCommands("up-general-1")).toEqual([]);
  }, 60_000);

  test("kubeadm refuses to skip a minor: the node retries, then gives up in one line naming the recovery", async () => {
    const SKIP = "1.36.0";
    terraformWritesKubeadmConfig(SKIP); // what the config's skew check and the kubeadm-config guard prevent
    const n = rebuild(cp(2), rolling(SKIP, { [cp(2)]: 2 }), { ...FAST, joinTimeoutSeconds: 12 });
    const r = await lab.run(n);
    expect(r.code).toBe(1);
    const log = lab.log(n);
    expect(log).toContain("kubeadm can upgrade only 1 minor version at a time");
    const givingUp = log.split("\n").filter((l) => l.includes("GIVING UP"));
    expect(givingUp).toHaveLength(1);
    expect(givingUp[0]).toContain(`the cluster did not converge to v${SKIP}`);
    expect(state("addons-version")).toBe(NEW);
  }, 60_000);
});
