import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { allNodes, type PoolNode } from "../../../lib/config/pool-nodes";
import type { EnvironmentConfig } from "../../../lib/config/types";
import { BOOTSTRAP_SCRIPT_PATH } from "../../../lib/cluster/bootstrap-script";
import { poolOf, type RenderOptions, renderCloudConfig } from "../../../lib/cluster/cloud-config";
import type { ClusterSecrets } from "../../../lib/cluster/secrets";
import { issue, makeCa, type TestCa } from "./test-pki";
import { type ReadyzServer, startReadyzServer } from "./readyz-server";
import { writeStandIns } from "./stand-ins";

export interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

export interface EtcdMember {
  readonly ID: string;
  readonly name: string;
  readonly isLearner?: boolean;
}

/** The bootstrap's log lines and whether the node has joined, for one run. */
export interface NodeRoot {
  readonly node: PoolNode;
  readonly root: string;
}

/**
 * A cluster's worth of nodes on loopback: the test PKI (real openssl), the "API" behind the VIP (an
 * HTTPS /readyz server on VIP:6443 with the cluster CA; ready once kubeadm init ran), and real etcd
 * members started by the kubeadm stand-in. Each node runs the bootstrap the library renders for it,
 * from its write_files, in a temporary root (K8S_BOOTSTRAP_ROOT).
 */
export class BootstrapLab {
  private constructor(
    readonly dir: string,
    readonly env: EnvironmentConfig,
    readonly options: RenderOptions,
    readonly secrets: ClusterSecrets,
    /** Every secret value (PEM bodies, token secret) that must not be left behind. */
    readonly secretValues: readonly string[],
    private readonly bin: string,
    private readonly api: ReadyzServer,
    private runs = 0,
  ) {}

  /** `extraSecrets`: secrets beyond the cluster PKI, e.g. the object store's S3 keys (objectStoreKeysB64). */
  static async start(env: EnvironmentConfig, options: RenderOptions, extraSecrets: Partial<ClusterSecrets> = {}): Promise<BootstrapLab> {
    const dir = mkdtempSync(join(tmpdir(), "bootstrap-lab-"));
    const ca = (name: string, cn: string): TestCa => makeCa(join(dir, "ca", name), cn);
    const cluster = ca("cluster", "kubernetes");
    const frontProxy = ca("front-proxy", "front-proxy-ca");
    const etcd = ca("etcd", "etcd-ca");
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", join(dir, "ca", "sa.key")]);
    execFileSync("openssl", ["pkey", "-in", join(dir, "ca", "sa.key"), "-pubout", "-out", join(dir, "ca", "sa.pub")]);
    const certs = join(dir, "certs");
    // 127.0.0.1 too: on loopback, peer connections come from it, and etcd checks the peer certificate against the source IP.
    issue(etcd, certs, "etcd-server", [...env.controlPlane.ips, "127.0.0.1"]);
    issue(etcd, certs, "etcd-client", []);
    const apiCert = issue(cluster, certs, "apiserver", [env.kubernetes.apiVip]);

    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const saKey = readFileSync(join(dir, "ca", "sa.key"), "utf8");
    const tokenSecret = "0123456789abcdef";
    const secrets: ClusterSecrets = {
      bootstrapToken: `lab123.${tokenSecret}`,
      caCertB64: b64(cluster.certPem),
      caKeyB64: b64(cluster.keyPem),
      frontProxyCaCertB64: b64(frontProxy.certPem),
      frontProxyCaKeyB64: b64(frontProxy.keyPem),
      etcdCaCertB64: b64(etcd.certPem),
      etcdCaKeyB64: b64(etcd.keyPem),
      saKeyB64: b64(saKey),
      saPubB64: b64(readFileSync(join(dir, "ca", "sa.pub"), "utf8")),
      ...extraSecrets,
    };
    const pemBody = (pem: string) => pem.split("\n").filter((l) => l && !l.startsWith("-----")).join("\n");
    const secretValues = [tokenSecret, ...[cluster.keyPem, frontProxy.keyPem, etcd.keyPem, saKey].map(pemBody)];

    const api = await startReadyzServer(apiCert, env.kubernetes.apiVip, 6443, () => existsSync(join(dir, "api-up")));
    return new BootstrapLab(dir, env, options, secrets, secretValues, writeStandIns(dir), api);
  }

  node(name: string): PoolNode {
    const node = allNodes(this.env).find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name} in ${this.env.name}`);
    return node;
  }

  /** A fresh root holding the node's write_files, as cloud-init would leave them (a new VM). */
  prepare(name: string, env: EnvironmentConfig = this.env, options: RenderOptions = this.options): NodeRoot {
    const node = this.node(name);
    this.runs += 1;
    const root = join(this.dir, "nodes", `${name}.${this.runs}`);
    // The node runs its pool's template's kubelet (KubeadmCluster passes the resolved template's version).
    const template = poolOf(env, node).template ?? env.template;
    const kubernetesVersion = "kubernetesVersion" in template ? template.kubernetesVersion : undefined;
    const doc = parse(renderCloudConfig(env, node, this.secrets, { kubernetesVersion, ...options })) as { write_files: { path: string; content: string; encoding?: string; permissions: string }[] };
    for (const f of doc.write_files) {
      const path = join(root, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.encoding === "b64" ? Buffer.from(f.content, "base64") : f.content);
      chmodSync(path, parseInt(f.permissions, 8));
    }
    for (const d of ["var/log", "tmp"]) mkdirSync(join(root, d), { recursive: true });
    return { node, root };
  }

  /** Runs the node's bootstrap as cloud-init would (the script itself, its shebang: bash). */
  run(n: NodeRoot, extraEnv: Record<string, string> = {}, onStart?: (pid: number) => void): Promise<RunResult> {
    const started = Date.now();
    return new Promise((done) => {
      const child = spawn(join(n.root, BOOTSTRAP_SCRIPT_PATH), [], {
        env: {
          PATH: `${this.bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          K8S_BOOTSTRAP_ROOT: n.root,
          TMPDIR: join(n.root, "tmp"),
          LAB: this.dir,
          ...extraEnv,
        },
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      if (onStart && child.pid) onStart(child.pid);
      child.on("close", (code) => done({ code, output, seconds: (Date.now() - started) / 1000 }));
    });
  }

  log(n: NodeRoot): string {
    const path = join(n.root, "var/log/k8s-bootstrap.log");
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  }

  /** Stand-in invocations but logger (the syslog copy of the log): "<node> <command> <args>" in order, optionally for one node. */
  commands(node?: string): string[] {
    const path = join(this.dir, "commands.log");
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(l.indexOf(" ") + 1))
      .filter((l) => l.split(" ")[1] !== "logger")
      .filter((l) => node === undefined || l.startsWith(`${node} `));
  }

  /** The node's kubeadm invocations ("<node> kubeadm <args>"). */
  kubeadm(node: string): string[] {
    return this.commands(node).filter((l) => l.split(" ")[1] === "kubeadm");
  }

  /** Seconds (epoch) of the first stand-in line matching. */
  when(line: string): number {
    const found = readFileSync(join(this.dir, "commands.log"), "utf8").split("\n").find((l) => l.slice(l.indexOf(" ") + 1).startsWith(line));
    if (!found) throw new Error(`no "${line}" in commands.log`);
    return Number(found.split(" ")[0]);
  }

  /** etcd's member list, asked with etcdctl through any member that answers. */
  members(): EtcdMember[] {
    const out = execFileSync("etcdctl", [
      "--endpoints", this.env.controlPlane.ips.map((ip) => `https://${ip}:2379`).join(","),
      "--cacert", join(this.dir, "ca/etcd/ca.crt"), "--cert", join(this.dir, "certs/etcd-client.crt"), "--key", join(this.dir, "certs/etcd-client.key"),
      "member", "list", "-w", "simple",
    ], { env: { ...process.env, ETCDCTL_API: "3" }, encoding: "utf8" });
    // "<hex id>, started|unstarted, <name>, <peer urls>, <client urls>, <is learner>" (JSON would round the uint64 ids).
    return out.trim().split("\n").map((line) => {
      const [id, , name, , , learner] = line.split(", ");
      return { ID: id, name, isLearner: learner === "true" };
    });
  }

  /** The node's VM is gone: its etcd stops. */
  stopEtcd(name: string): void {
    const pidFile = join(this.dir, `etcd-${name}.pid`);
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, "utf8"));
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    rmSync(pidFile);
    // Wait until the port is free again, so a rebuilt node's etcd can bind it.
    for (let i = 0; i < 50 && isAlive(pid); i++) execFileSync("sleep", ["0.1"]);
  }

  apiUp(up: boolean): void {
    const flag = join(this.dir, "api-up");
    if (up) writeFileSync(flag, "");
    else rmSync(flag, { force: true });
  }

  /** Files under the node's root that hold a secret value (token or CA/SA private key material). */
  filesWithSecrets(n: NodeRoot): string[] {
    return walk(n.root).filter((f) => {
      const text = readFileSync(f, "utf8");
      return this.secretValues.some((s) => s.split("\n").some((line) => line.length > 20 && text.includes(line)) || (s.length <= 20 && text.includes(s)));
    }).map((f) => f.slice(n.root.length));
  }

  /** Files under the node's root that contain `text`. */
  filesContaining(n: NodeRoot, text: string): string[] {
    return walk(n.root).filter((f) => readFileSync(f, "utf8").includes(text)).map((f) => f.slice(n.root.length));
  }

  async stop(): Promise<void> {
    for (const f of existsSync(this.dir) ? readdirSync(this.dir) : []) {
      const m = /^etcd-(.+)\.pid$/.exec(f);
      if (m) this.stopEtcd(m[1]);
    }
    await this.api.close();
    if (!process.env.KEEP_BOOTSTRAP_LAB) rmSync(this.dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
