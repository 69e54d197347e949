import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ETCD_SNAPSHOT_SCRIPT_PATH } from "../../lib/backups/etcd-snapshot";
import type { EnvironmentConfig } from "../../lib/config/types";
import { validateEnvironment } from "../../lib/config/validate";
import { describeWithTools } from "../tools";
import { etcdTools, loopbackSandbox } from "./helpers/etcd-snapshot-lab";
import { BootstrapLab, type NodeRoot } from "./helpers/bootstrap-lab";
import { S3Lab, S3RVER_KEYS } from "./helpers/s3-lab";
import { issue, makeCa } from "./helpers/test-pki";

/**
 * Restoring the control plane without SSH (controlPlane.restoreFromSnapshot), in the bootstrap harness:
 * the first build inits a REAL etcd (kubeadm stand-in), keys are written, the node's own etcd-snapshot
 * script uploads a snapshot to s3rver (SigV4 checked), more keys are written, the node is lost; the
 * rebuild at the restore revision downloads that snapshot, restores it (etcdctl 3.4 standing in for the
 * image's etcdutl) and kubeadm init starts etcd on it: the snapshot's keys are back, the later one is not.
 * Addresses on 127.96.0.0/24.
 */
const NET = "127.96.0";
const FAST = { joinTimeoutSeconds: 60, retrySeconds: 1, peerProbeSeconds: 2 } as const;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describeWithTools([["etcd"], ["etcdctl", ["version"]], ["curl"]])("restoring the control plane from an etcd snapshot through the bootstrap", () => {
  let lab: BootstrapLab;
  let s3: S3Lab;
  let env: EnvironmentConfig;
  let tools: string;
  const cp1 = "lab-control-plane-1";
  const etcdctl = (...args: string[]) =>
    execFileSync("etcdctl", ["--endpoints", `https://${NET}.11:2379`, "--cacert", join(lab.dir, "ca/etcd/ca.crt"), "--cert", join(lab.dir, "certs/etcd-client.crt"), "--key", join(lab.dir, "certs/etcd-client.key"), ...args], {
      env: { ...process.env, ETCDCTL_API: "3" },
      encoding: "utf8",
    });
  const snapshot = (n: NodeRoot) =>
    new Promise<{ code: number | null; output: string }>((done) => {
      const child = spawn(join(n.root, ETCD_SNAPSHOT_SCRIPT_PATH), [], { env: { PATH: process.env.PATH, K8S_BOOTSTRAP_ROOT: n.root, K8S_ETCD_TOOLS_DIR: tools, ETCDCTL_API: "3" } });
      let output = "";
      child.stderr.on("data", (d) => (output += d));
      child.stdout.on("data", (d) => (output += d));
      child.on("close", (code) => done({ code, output }));
    });

  beforeAll(async () => {
    const s3Ca = makeCa(join("/tmp", `s3-ca-${process.pid}`), "s3-ca");
    s3 = await S3Lab.start({ ip: `${NET}.20`, ...issue(s3Ca, join("/tmp", `s3-ca-${process.pid}`), "s3", [`${NET}.20`]), buckets: ["lab-etcd"] });
    env = loopbackSandbox("lab", NET, s3.endpoint, s3Ca.certPem);
    lab = await BootstrapLab.start(env, FAST, { objectStoreKeysB64: { accessKeyId: b64(S3RVER_KEYS.accessKeyId), secretAccessKey: b64(S3RVER_KEYS.secretAccessKey) } });
    tools = etcdTools(lab.dir);
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
    await s3?.stop();
  });

  test("snapshot, lose the node, rebuild it with restoreFromSnapshot: the snapshot's keys are back", async () => {
    const first = lab.prepare(cp1);
    expect((await lab.run(first)).code).toBe(0);
    for (let i = 0; i < 20; i++) etcdctl("put", `/registry/configmaps/team/cm-${i}`, `v${i}`);
    // What kubeadm leaves on a control-plane node for etcd's health checks, used by the snapshot.
    for (const ext of ["crt", "key"]) copyFileSync(join(lab.dir, `certs/etcd-client.${ext}`), join(first.root, `etc/kubernetes/pki/etcd/healthcheck-client.${ext}`));
    const taken = await snapshot(first);
    expect(taken.output).toContain("uploaded s3://lab-etcd/lab/");
    expect(taken.code).toBe(0);
    const key = /uploaded s3:\/\/lab-etcd\/(\S+)/.exec(taken.output)![1];
    etcdctl("put", "/registry/configmaps/team/after-snapshot", "lost");

    // The VM is gone with its etcd; the cluster is down.
    lab.stopEtcd(cp1);
    lab.apiUp(false);

    const restoreEnv = validateEnvironment({ ...env, controlPlane: { ...env.controlPlane, nodeRevisions: { [cp1]: 1 }, restoreFromSnapshot: { snapshot: key, atRevision: 1 } } });
    const rebuilt = lab.prepare(cp1, restoreEnv);
    const result = await lab.run(rebuilt, { K8S_ETCD_TOOLS_DIR: tools, ETCDCTL_API: "3" });
    expect(lab.log(rebuilt)).toContain(`etcd restored from ${key}: kubeadm init runs on that data`);
    expect(result.code).toBe(0);
    expect(lab.kubeadm(cp1)).toContain(`${cp1} kubeadm init --config ${rebuilt.root}/etc/kubernetes/bootstrap/kubeadm-init.yaml --skip-token-print --ignore-preflight-errors=DirAvailable--var-lib-etcd`);

    // etcd runs on the restored data: the snapshot's keys, not the later one, and a single member (this node).
    const keys = etcdctl("get", "--prefix", "--keys-only", "/registry/configmaps/team/").split("\n").filter(Boolean);
    expect(keys).toHaveLength(20);
    expect(keys).not.toContain("/registry/configmaps/team/after-snapshot");
    expect(lab.members().map((m) => m.name)).toEqual([cp1]);
    expect(s3.requests.filter((r) => r.refused)).toEqual([]);
    expect(readFileSync(join(rebuilt.root, "etc/kubernetes/bootstrap/bootstrap.env"), "utf8")).toContain(`RESTORE_SNAPSHOT='${key}'`);
  }, 120_000);

  test("a snapshot key that does not exist: the restore gives up before kubeadm init, naming the key", async () => {
    lab.stopEtcd(cp1);
    lab.apiUp(false);
    const missing = "lab/20000101T000000Z-nowhere.db";
    const restoreEnv = validateEnvironment({ ...env, controlPlane: { ...env.controlPlane, nodeRevisions: { [cp1]: 2 }, restoreFromSnapshot: { snapshot: missing, atRevision: 2 } } });
    const n = lab.prepare(cp1, restoreEnv);
    const before = lab.kubeadm(cp1).filter((l) => l.includes(" init ")).length;
    const result = await lab.run(n, { K8S_ETCD_TOOLS_DIR: tools, ETCDCTL_API: "3" });
    expect(result.code).not.toBe(0);
    expect(lab.log(n)).toContain(`GIVING UP: cannot restore etcd from snapshot ${missing}`);
    expect(lab.kubeadm(cp1).filter((l) => l.includes(" init ")).length).toBe(before);
  }, 60_000);
});
