import { execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ETCD_BACKUP_METRICS_FILE, ETCD_SNAPSHOT_PATHS, ETCD_SNAPSHOT_SCRIPT_PATH } from "../../lib/backups/etcd-snapshot";
import { allNodes } from "../../lib/config/pool-nodes";
import { renderCloudConfig } from "../../lib/cluster/cloud-config";
import { type ClusterSecrets, placeholderSecrets } from "../../lib/cluster/secrets";
import type { EnvironmentConfig } from "../../lib/config/types";
import { describeWithTools } from "../tools";
import { etcdTools, loopbackSandbox, writeNodeFiles } from "./helpers/etcd-snapshot-lab";
import { S3Lab, S3RVER_KEYS } from "./helpers/s3-lab";
import { issue, makeCa } from "./helpers/test-pki";

/**
 * The etcd snapshot script the library renders for a control-plane node, run under bash in a temporary
 * root against a REAL etcd 3.4 (TLS, client certificates from the test's etcd CA) and a real S3 server
 * (s3rver over HTTPS, every SigV4 signature recomputed and checked, see helpers/s3-lab.ts), with the
 * real curl. Debian has etcd 3.4, which has no etcdutl: its `etcdctl snapshot status|restore` take the
 * same arguments, so the "etcdutl" of the tools directory is etcdctl (nodes run the image's etcdutl).
 * Addresses: etcd on 127.95.0.11, the object store on 127.95.0.20.
 */
const NET = "127.95.0";
const ETCD_IP = `${NET}.11`;
const S3_IP = `${NET}.20`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describeWithTools([["etcd"], ["etcdctl", ["version"]], ["curl"]])("etcd snapshot to an S3 store, with a real etcd and s3rver", () => {
  let dir: string;
  let root: string;
  let tools: string;
  let s3: S3Lab;
  let etcdPid = 0;
  const etcdctl = (...args: string[]) =>
    execFileSync("etcdctl", ["--endpoints", `https://${ETCD_IP}:2379`, "--cacert", join(dir, "etcd-ca/ca.crt"), "--cert", join(dir, "certs/client.crt"), "--key", join(dir, "certs/client.key"), ...args], {
      env: { ...process.env, ETCDCTL_API: "3" },
      encoding: "utf8",
    });
  // Asynchronous: the S3 server runs in this process, a synchronous child would block it.
  const curlS3 = async (method: string, path: string, extra: string[] = []) =>
    (await promisify(execFile)("curl", ["-sS", "--fail", "--cacert", join(dir, "s3-ca/ca.crt"), "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${S3RVER_KEYS.accessKeyId}:${S3RVER_KEYS.secretAccessKey}`,
      "-H", `x-amz-content-sha256: ${method === "PUT" ? "UNSIGNED-PAYLOAD" : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}`, "-X", method, ...extra, `${s3.endpoint}/lab-etcd${path}`], { encoding: "utf8" })).stdout;
  const keys = async () => [...(await curlS3("GET", "/?list-type=2")).matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]).sort();
  const run = (toolsDir = tools, nodeRoot = root) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(join(nodeRoot, ETCD_SNAPSHOT_SCRIPT_PATH), [], { env: { PATH: process.env.PATH, K8S_BOOTSTRAP_ROOT: nodeRoot, K8S_ETCD_TOOLS_DIR: toolsDir, ETCDCTL_API: "3" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => done({ status, stdout, stderr }));
    });
  const metrics = () => readFileSync(join(root, ETCD_BACKUP_METRICS_FILE), "utf8");
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics())?.[1]);
  const stamp = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "etcd-snapshot-"));
    const etcdCa = makeCa(join(dir, "etcd-ca"), "etcd-ca");
    issue(etcdCa, join(dir, "certs"), "server", [ETCD_IP]);
    issue(etcdCa, join(dir, "certs"), "client", []);
    const s3Ca = makeCa(join(dir, "s3-ca"), "s3-ca");
    const s3Cert = issue(s3Ca, join(dir, "certs"), "s3", [S3_IP]);
    s3 = await S3Lab.start({ ip: S3_IP, ...s3Cert, buckets: ["lab-etcd"] });

    const data = join(dir, "etcd-data");
    const child = spawn("etcd", [
      "--name", "lab-control-plane-1", "--data-dir", data,
      "--listen-client-urls", `https://${ETCD_IP}:2379`, "--advertise-client-urls", `https://${ETCD_IP}:2379`,
      "--listen-peer-urls", `http://${ETCD_IP}:2380`, "--initial-advertise-peer-urls", `http://${ETCD_IP}:2380`,
      "--initial-cluster", `lab-control-plane-1=http://${ETCD_IP}:2380`,
      "--cert-file", join(dir, "certs/server.crt"), "--key-file", join(dir, "certs/server.key"), "--trusted-ca-file", join(dir, "etcd-ca/ca.crt"), "--client-cert-auth",
    ], { stdio: "ignore", detached: true });
    etcdPid = child.pid ?? 0;
    for (let i = 0; i < 100; i++) {
      try {
        etcdctl("endpoint", "health");
        break;
      } catch {
        execFileSync("sleep", ["0.2"]);
      }
    }
    for (let i = 0; i < 50; i++) etcdctl("put", `/registry/lab/key-${i}`, `value-${i}`);

    // The node: its rendered files (S3 keys through the secret mechanism), and the etcd PKI kubeadm would have made.
    const env = loopbackSandbox("lab", NET, s3.endpoint, readFileSync(join(dir, "s3-ca/ca.crt"), "utf8"));
    root = join(dir, "node");
    writeNode(env, root);
    tools = etcdTools(dir);
  }, 60_000);

  /** A control-plane node of `env` under `nodeRoot`: its rendered files with the given secrets, and the etcd PKI. */
  const writeNode = (env: EnvironmentConfig, nodeRoot: string, extra: Partial<ClusterSecrets> = {}) => {
    const node = allNodes(env).find((n) => n.role === "control-plane")!;
    const secrets = { ...placeholderSecrets(), objectStoreKeysB64: { accessKeyId: b64(S3RVER_KEYS.accessKeyId), secretAccessKey: b64(S3RVER_KEYS.secretAccessKey) }, ...extra };
    writeNodeFiles(nodeRoot, renderCloudConfig(env, node, secrets));
    const pki = join(nodeRoot, "etc/kubernetes/pki/etcd");
    mkdirSync(pki, { recursive: true });
    writeFileSync(join(pki, "ca.crt"), readFileSync(join(dir, "etcd-ca/ca.crt")));
    writeFileSync(join(pki, "healthcheck-client.crt"), readFileSync(join(dir, "certs/client.crt")));
    writeFileSync(join(pki, "healthcheck-client.key"), readFileSync(join(dir, "certs/client.key")));
    mkdirSync(join(nodeRoot, "var/lib"), { recursive: true });
  };

  afterAll(async () => {
    if (etcdPid) process.kill(etcdPid, "SIGKILL");
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the leader snapshots, uploads under <env>/<time>-<node>.db, deletes what is past the retention, and writes the metric atomically", async () => {
    // Past the 2-day retention, within it, and another environment's (never touched).
    const old = `lab/${stamp(3 * 86_400_000)}-lab-control-plane-1.db`;
    const recent = `lab/${stamp(3_600_000)}-lab-control-plane-1.db`;
    const other = `other/${stamp(30 * 86_400_000)}-other-control-plane-1.db`;
    for (const key of [old, recent, other]) await curlS3("PUT", `/${key}`, ["--data-binary", "not a snapshot"]);

    const before = Math.floor(Date.now() / 1000);
    const r = await run();
    expect(r.stderr).toContain("uploaded s3://lab-etcd/lab/");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("deleted 1 snapshot(s)");

    const after = await keys();
    const uploaded = after.filter((k) => ![old, recent, other].includes(k));
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]).toMatch(/^lab\/\d{8}T\d{6}Z-lab-control-plane-1\.db$/);
    expect(after).toEqual([...uploaded, recent, other].sort());

    // The object is a whole etcd snapshot holding the keys.
    const file = join(dir, "downloaded.db");
    await curlS3("GET", `/${uploaded[0]}`, ["-o", file]);
    const status = JSON.parse(execFileSync("etcdctl", ["snapshot", "status", file, "-w", "json"], { env: { ...process.env, ETCDCTL_API: "3" }, encoding: "utf8" })) as { totalKey: number };
    expect(status.totalKey).toBeGreaterThanOrEqual(50);

    // Every request carried a SigV4 signature that verified with the store's secret key.
    expect(s3.requests.filter((q) => q.refused)).toEqual([]);
    expect(s3.requests.map((q) => q.method)).toEqual(expect.arrayContaining(["PUT", "GET", "DELETE"]));

    expect(metric("etcd_backup_last_run_success")).toBe(1);
    expect(metric("etcd_backup_last_success_timestamp_seconds")).toBeGreaterThanOrEqual(before);
    expect(metric("etcd_backup_last_size_bytes")).toBe(readFileSync(file).length);
    // Written to a temporary name and renamed: nothing else is left in the collector's directory.
    expect(readdirSync(dirname(join(root, ETCD_BACKUP_METRICS_FILE))).sort()).toEqual(["README", "etcd_backup.prom"]);
    // promtool-free check of the exposition format: HELP/TYPE pairs and one sample per metric.
    expect(metrics()).toMatch(/^# TYPE etcd_backup_last_success_timestamp_seconds gauge$/m);
    // The S3 keys are in root-only files, never in the output.
    expect(r.stderr + r.stdout).not.toContain(S3RVER_KEYS.secretAccessKey);
    expect(readFileSync(join(root, ETCD_SNAPSHOT_PATHS.env), "utf8")).not.toContain(S3RVER_KEYS.secretAccessKey);
  }, 60_000);

  test("store down: exits non-zero, last_run_success 0, the last success time is kept", async () => {
    const success = metric("etcd_backup_last_success_timestamp_seconds");
    await s3.pause();
    try {
      const r = await run();
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/FAILED: upload to https:\/\/127\.95\.0\.20:\d+\/lab-etcd\/lab\//);
    } finally {
      await s3.resume();
    }
    expect(metric("etcd_backup_last_run_success")).toBe(0);
    expect(metric("etcd_backup_last_success_timestamp_seconds")).toBe(success);
  }, 60_000);

  test("a wrong secret key is refused by the signature check: the run fails", async () => {
    const secretFile = join(root, ETCD_SNAPSHOT_PATHS.secretAccessKey);
    const good = readFileSync(secretFile);
    writeFileSync(secretFile, "not-the-secret");
    try {
      const r = await run();
      expect(r.status).not.toBe(0);
      expect(s3.requests.at(-1)).toMatchObject({ method: "PUT", status: 403 });
      expect(s3.requests.at(-1)?.refused).toContain("signature mismatch");
    } finally {
      writeFileSync(secretFile, good);
    }
    expect(metric("etcd_backup_last_run_success")).toBe(0);
  }, 60_000);

  test("in-cluster store (issuer ca): the site CA written from its placeholder makes curl trust the store; the system store alone does not", async () => {
    // sandbox/dev without backups.objectStore: https://s3.<domain> with a certificate of the site CA (the test's s3 CA).
    const env = loopbackSandbox("lab", NET, s3.endpoint, "", { backups: { etcdSnapshots: { intervalHours: 1, retentionDays: 2 } } });
    const nodeRoot = join(dir, "in-cluster-node");
    writeNode(env, nodeRoot, { siteCaCertB64: b64(readFileSync(join(dir, "s3-ca/ca.crt"), "utf8")) });
    const envFile = join(nodeRoot, ETCD_SNAPSHOT_PATHS.env);
    const settings = readFileSync(envFile, "utf8");
    expect(settings).toContain(`S3_ENDPOINT='https://s3.${env.platform.domain}'`);
    expect(settings).toContain(`S3_CA_FILE='${ETCD_SNAPSHOT_PATHS.caFile}'`);
    // s3.<domain> does not resolve here: the loopback store stands in for it (same CA, same bucket name).
    writeFileSync(envFile, settings.replace(/^S3_ENDPOINT=.*$/m, `S3_ENDPOINT='${s3.endpoint}'`));

    const trusted = await run(tools, nodeRoot);
    expect(trusted.stderr).toContain("uploaded s3://lab-etcd/lab/");
    expect(trusted.status).toBe(0);

    const requests = s3.requests.length;
    writeFileSync(envFile, readFileSync(envFile, "utf8").replace(/^S3_CA_FILE=.*$/m, "S3_CA_FILE=''"));
    const untrusted = await run(tools, nodeRoot);
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.stderr).toMatch(/SSL certificate problem|certificate verify failed/);
    expect(untrusted.stderr).toContain("FAILED: upload to");
    expect(s3.requests.length).toBe(requests); // refused in the TLS handshake: no request reached the store
  }, 60_000);

  test("etcd unreachable: fails before any upload", async () => {
    const requests = s3.requests.length;
    const r = await run(join(dir, "no-such-tools"));
    expect(s3.requests.length).toBe(requests);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("does not answer");
    expect(existsSync(join(root, ETCD_BACKUP_METRICS_FILE))).toBe(true);
  });
});
