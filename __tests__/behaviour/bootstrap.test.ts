import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { validateEnvironment } from "../../lib/config/validate";
import type { EnvironmentConfig } from "../../lib/config/types";
import { prodLike, sandboxLike } from "../cluster/fixtures";
import { describeWithTool } from "../tools";
import { BootstrapLab, type NodeRoot } from "./helpers/bootstrap-lab";
import { FAST, onLoopback } from "./helpers/loopback-env";

/**
 * The node bootstrap the library renders, run under bash in a temporary root per node, with a REAL
 * etcd 3.4 (TLS from the test's etcd CA, started by the kubeadm stand-in as kubeadm would), a loopback
 * HTTPS /readyz behind the VIP, real openssl/curl/python3, and stand-ins only for kubeadm, kubectl,
 * systemctl, modprobe, sysctl and logger. Addresses are on 127.93.0.0/24 (prod-like, 3 control-plane
 * nodes) and 127.94.0.0/24 (sandbox-like, 1 control-plane node).
 */
const K = "/etc/kubernetes";
const B = `${K}/bootstrap`;
const has = (n: NodeRoot, path: string) => existsSync(join(n.root, path));
const givingUpLines = (log: string) => log.split("\n").filter((l) => l.includes("GIVING UP"));

function withRevision(env: EnvironmentConfig, node: string, revision: number, reinitialize = false): EnvironmentConfig {
  return validateEnvironment({
    ...env,
    controlPlane: { ...env.controlPlane, nodeRevisions: { [node]: revision }, ...(reinitialize ? { reinitializeAtRevision: revision } : {}) },
  });
}

describeWithTool("etcd")("node bootstrap with a real etcd: a 3-node control plane on loopback", () => {
  const env = onLoopback(prodLike, "127.93.0", "lab");
  const cp = (i: number) => `lab-control-plane-${i}`;
  let lab: BootstrapLab;
  /** The roots of the first build: control-plane nodes 1-3, then the worker. */
  let firstBuild: NodeRoot[] = [];

  beforeAll(async () => {
    lab = await BootstrapLab.start(env, FAST);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  test("first build: node 1 inits; nodes 2 and 3 join one after the other once the API answers; a worker joins", async () => {
    const nodes = [cp(1), cp(2), cp(3), "lab-general-1"].map((n) => lab.prepare(n));
    firstBuild = nodes;
    // All four VMs boot at once, as in a first apply.
    const results = await Promise.all(nodes.map((n) => lab.run(n)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);

    // kubeadm init gets a token generated on the node, deleted (by id) right after init.
    const initToken = readFileSync(join(lab.dir, `init-token-${cp(1)}`), "utf8").trim();
    expect(initToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const [initId, initSecret] = initToken.split(".");
    expect(lab.kubeadm(cp(1))).toEqual([
      `${cp(1)} kubeadm token generate`,
      `${cp(1)} kubeadm init --config ${nodes[0].root}${B}/kubeadm-init.yaml --skip-token-print`,
      `${cp(1)} kubeadm token delete --kubeconfig ${nodes[0].root}${K}/admin.conf ${initId}`,
    ]);
    expect(lab.log(nodes[0])).toContain(`deleted kubeadm init's throwaway token ${initId}`);
    // Its secret half is nowhere: not in the log, not in any file left on the node, not on a command line.
    expect(lab.commands().join("\n")).not.toContain(initSecret);
    expect(lab.filesContaining(nodes[0], initSecret)).toEqual([]);
    for (const n of nodes.slice(1)) {
      expect(lab.kubeadm(n.node.name)).toEqual([`${n.node.name} kubeadm join --config ${n.root}${B}/kubeadm-join.yaml`]);
    }
    // Serialized on etcd, not on a timer: node 3 starts its join only after node 2's learner was promoted.
    expect(lab.when(`${cp(2)} kubeadm join`)).toBeGreaterThan(lab.when(`${cp(1)} kubeadm init`));
    expect(lab.when(`${cp(3)} kubeadm join`)).toBeGreaterThan(lab.when(`${cp(2)} kubeadm-joined`));
    expect(lab.log(nodes[2])).toMatch(/etcd via 127\.93\.0\.\d+: 1 voting member\(s\), pending: lab-control-plane-2; this node joins at 2|etcd via 127\.93\.0\.\d+: 1 voting member\(s\); this node joins at 2/);

    const members = lab.members();
    expect(members.map((m) => m.name).sort()).toEqual([cp(1), cp(2), cp(3)]);
    expect(members.filter((m) => m.isLearner)).toEqual([]);

    for (const n of nodes) {
      expect(has(n, `${K}/kubelet.conf`)).toBe(true);
      // What cloud-init delivered is gone: CA keys, join token, init config.
      for (const f of [`${B}/pki`, `${B}/kubeadm-join.yaml`, `${B}/kubeadm-init.yaml`]) expect(has(n, f)).toBe(false);
      expect(lab.filesWithSecrets(n).filter((f) => !f.startsWith(`${K}/pki/`))).toEqual([]);
      expect(lab.log(n)).toContain("removed secret");
      // The log holds kubeadm's output: root-only.
      expect(statSync(join(n.root, "var/log/k8s-bootstrap.log")).mode & 0o777).toBe(0o600);
    }
    // Workers never hold CA keys at all.
    expect(has(nodes[3], `${K}/pki`)).toBe(false);
    expect(lab.filesWithSecrets(nodes[3])).toEqual([]);
  }, 180_000);

  test("kube-vip: its own certificate from the cluster CA, its Role applied, super-admin.conf gone after init", () => {
    const first = firstBuild[0];
    expect(has(first, `${K}/super-admin.conf`)).toBe(false);
    expect(lab.log(first)).toContain(`removed secret ${first.root}${K}/super-admin.conf`);
    for (const i of [1, 2, 3]) {
      const n = firstBuild[i - 1];
      const manifest = parse(readFileSync(join(n.root, K, "manifests/kube-vip.yaml"), "utf8"));
      expect(manifest.spec.volumes[0].hostPath.path).toBe("/etc/kubernetes/kube-vip.conf");
      const kubeconfig = parse(readFileSync(join(n.root, K, "kube-vip.conf"), "utf8"));
      const cert = Buffer.from(kubeconfig.users[0].user["client-certificate-data"], "base64").toString();
      const certFile = join(n.root, "tmp", "kube-vip-check.crt");
      writeFileSync(certFile, cert);
      expect(execFileSync("openssl", ["verify", "-CAfile", join(lab.dir, "ca/cluster/ca.crt"), certFile], { encoding: "utf8" })).toContain("OK");
      expect(execFileSync("openssl", ["x509", "-noout", "-subject", "-in", certFile], { encoding: "utf8" })).toMatch(/CN ?= ?kube-vip/);
      const applied = readFileSync(join(lab.dir, `applied-${cp(i)}.yaml`), "utf8");
      expect(applied).toContain("kind: Role");
      expect(applied).toContain("coordination.k8s.io");
    }
  });

  test("a second run on a joined node does nothing", async () => {
    const n = firstBuild[2];
    const before = lab.commands(cp(3)).length;
    const r = await lab.run(n);
    expect(r.code).toBe(0);
    expect(lab.commands(cp(3))).toHaveLength(before);
    expect(lab.log(n).trim().split("\n").pop()).toContain("already in the cluster");
  });

  test("a rebuilt control-plane node removes its stale etcd member, then joins", async () => {
    const stale = lab.members().find((m) => m.name === cp(2))!;
    lab.stopEtcd(cp(2)); // the old VM is gone; its member stays in etcd
    const n = lab.prepare(cp(2), withRevision(env, cp(2), 1));
    const r = await lab.run(n);
    expect(r.code).toBe(0);
    expect(lab.log(n)).toContain(`removed stale etcd member ${BigInt(`0x${stale.ID}`).toString()} (${cp(2)})`);
    const members = lab.members();
    expect(members.map((m) => m.name).sort()).toEqual([cp(1), cp(2), cp(3)]);
    expect(members.find((m) => m.name === cp(2))!.ID).not.toBe(stale.ID);
    expect(members.filter((m) => m.isLearner)).toEqual([]);
  }, 120_000);

  test("a rebuilt first node (revision 1) joins the running cluster, never inits", async () => {
    lab.stopEtcd(cp(1));
    const n = lab.prepare(cp(1), withRevision(env, cp(1), 1));
    expect(readFileSync(join(n.root, B, "bootstrap.env"), "utf8")).toContain("MODE='join'");
    const r = await lab.run(n);
    expect(r.code).toBe(0);
    expect(lab.kubeadm(cp(1)).pop()).toBe(`${cp(1)} kubeadm join --config ${n.root}${B}/kubeadm-join.yaml`);
    expect(lab.members().map((m) => m.name).sort()).toEqual([cp(1), cp(2), cp(3)]);
  }, 120_000);

  test("the first node recreated at revision 0 while the VIP is down refuses to init when a peer answers, and joins once the VIP is back", async () => {
    lab.apiUp(false); // full-site restart (or terraform apply -replace): nothing holds the VIP yet
    const stale = lab.members().find((m) => m.name === cp(1))!;
    lab.stopEtcd(cp(1));
    const n = lab.prepare(cp(1), env);
    expect(readFileSync(join(n.root, B, "bootstrap.env"), "utf8")).toContain("MODE='init'");
    const before = lab.kubeadm(cp(1)).length;
    // Another control-plane node's kube-vip takes the VIP a few seconds later.
    const r = await lab.run(n, {}, () => setTimeout(() => lab.apiUp(true), 5000));
    expect(r.code).toBe(0);
    const log = lab.log(n);
    expect(log).toMatch(/refusing kubeadm init: control-plane peer 127\.93\.0\.1[23]:2379 answers/);
    expect(lab.kubeadm(cp(1)).slice(before)).toEqual([`${cp(1)} kubeadm join --config ${n.root}${B}/kubeadm-join.yaml`]);
    expect(log).toContain(`removed stale etcd member ${BigInt(`0x${stale.ID}`).toString()} (${cp(1)})`);
    expect(lab.members().map((m) => m.name).sort()).toEqual([cp(1), cp(2), cp(3)]);
  }, 90_000);

  test("an API that never answers ends in one GIVING UP line within the bound, leaving no secret", async () => {
    lab.apiUp(false);
    const n = lab.prepare("lab-storage-1", env, { ...FAST, joinTimeoutSeconds: 3 });
    const r = await lab.run(n);
    lab.apiUp(true);
    expect(r.code).toBe(1);
    const lines = givingUpLines(lab.log(n));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`GIVING UP: the API https://${env.kubernetes.apiVip}:6443 did not become ready within 3 s`);
    expect(r.seconds).toBeLessThan(3 + FAST.retrySeconds + 5);
    expect(lab.filesWithSecrets(n)).toEqual([]);
    expect(has(n, `${B}/kubeadm-join.yaml`)).toBe(false);
  }, 60_000);

  test("killed mid-wait (SIGTERM), the bootstrap still removes every secret", async () => {
    lab.apiUp(false);
    const n = lab.prepare(cp(1), env, { ...FAST, joinTimeoutSeconds: 60, peerProbeSeconds: 60 });
    const r = await lab.run(n, {}, (pid) => setTimeout(() => process.kill(pid, "SIGTERM"), 3000));
    lab.apiUp(true);
    expect(r.code).not.toBe(0);
    expect(r.seconds).toBeLessThan(20);
    expect(lab.filesWithSecrets(n)).toEqual([]);
    expect(lab.log(n)).toContain("removed secret");
  }, 60_000);
});

describeWithTool("etcd")("node bootstrap: a failed kubeadm init and the documented re-initialization", () => {
  // Rook-Ceph (validated with the platform) needs a data disk somewhere.
  const env = onLoopback({ ...sandboxLike, workers: [{ ...sandboxLike.workers[0], dataDiskGiB: 50 }] }, "127.94.0", "labone");
  const first = "labone-control-plane-1";
  let lab: BootstrapLab;

  beforeAll(async () => {
    lab = await BootstrapLab.start(env, FAST);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  test("a failed init leaves no secret behind and names controlPlane.reinitializeAtRevision", async () => {
    const n = lab.prepare(first);
    const r = await lab.run(n, { LAB_FAIL_INIT: "1" });
    expect(r.code).toBe(1);
    const lines = givingUpLines(lab.log(n));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`set controlPlane.reinitializeAtRevision to 1 and nodeRevisions["${first}"] to 1`);
    expect(lab.filesWithSecrets(n)).toEqual([]);
    for (const f of [`${B}/pki`, `${K}/pki`, `${K}/kube-vip.conf`, `${B}/kubeadm-init.yaml`, `${B}/kubeadm-join.yaml`]) expect(has(n, f)).toBe(false);
  }, 60_000);

  test("revision 1 without reinitializeAtRevision joins (and gives up: there is no cluster)", async () => {
    const n = lab.prepare(first, withRevision(env, first, 1), { ...FAST, joinTimeoutSeconds: 3 });
    const r = await lab.run(n);
    expect(r.code).toBe(1);
    // Only the failed init before (with its throwaway token generated): no init, no join attempt now.
    expect(lab.kubeadm(first).map((c) => c.split(" ").slice(1, 4).join(" "))).toEqual(["kubeadm token generate", expect.stringMatching(/^kubeadm init /)]);
    expect(givingUpLines(lab.log(n))).toHaveLength(1);
  }, 60_000);

  test("reinitializeAtRevision: 1 with the node at revision 1 runs kubeadm init again, and the cluster comes up", async () => {
    const n = lab.prepare(first, withRevision(env, first, 1, true));
    // The API refusing to delete init's throwaway token does not fail the node: its ttl ends it.
    const r = await lab.run(n, { LAB_FAIL_TOKEN_DELETE: "1" });
    expect(r.code).toBe(0);
    expect(lab.log(n)).toMatch(/warning: cannot delete kubeadm init's throwaway token [a-z0-9]{6} .*it expires 15m0s after init/);
    expect(lab.kubeadm(first).filter((c) => c.includes("kubeadm init"))).toHaveLength(2);
    expect(lab.log(n)).toContain("kubeadm init (revision 1)");
    expect(lab.members().map((m) => m.name)).toEqual([first]);
    const worker = lab.prepare("labone-workers-1");
    expect((await lab.run(worker)).code).toBe(0);
    expect(has(worker, `${K}/kubelet.conf`)).toBe(true);
  }, 120_000);
});
