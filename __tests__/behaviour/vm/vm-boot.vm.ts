import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { createHash, X509Certificate } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { parse, parseAllDocuments } from "yaml";
import { allNodes } from "../../../lib/config/pool-nodes";
import { sandbox } from "../../../stacks/sandbox";
import { describeWithTools } from "../../tools";
import { evaluateExtraConfig, loadSynth, TERRAFORM, vmByName, type Throwaway } from "./guestinfo";
import { boot, buildImage, QEMU, type BootResult } from "./boot";

/**
 * A real boot (npm run test:vm; README "What the VM boot proves"): the sandbox's first control-plane
 * node, exactly as synthesized (metadata from cdk.tf.json, user-data evaluated by real Terraform with
 * throwaway PKI and token), boots a Debian bookworm guest that looks like a vSphere VM: real systemd,
 * cloud-init 22.4 with its VMware datasource, ifupdown, containerd, chrony; stand-ins only for
 * vmware-rpctool, kubeadm and kubelet. Assertions are on what the guest did, not on script text.
 */

const SYNTH = resolve(__dirname, "../../../cdktf.out/stacks/sandbox/cdk.tf.json");
const TOOLS: [string, string[]][] = [[QEMU, ["--version"]], ["debootstrap", ["--version"]], [TERRAFORM, ["version"]], ["openssl", ["version"]], ["debugfs", ["-V"]], ["mkfs.ext4", ["-V"]]];
const run = describeWithTools(TOOLS);

type PoolNode = ReturnType<typeof allNodes>[number];
const node = allNodes(sandbox).find((n) => n.role === "control-plane") as PoolNode;
const worker = allNodes(sandbox).find((n) => n.role === "worker") as PoolNode;

interface WriteFile { path: string; content?: string; encoding?: string; permissions?: string; owner?: string; defer?: boolean }
interface Snapshot { [path: string]: { exists: boolean; mode?: string; owner?: string; group?: string; sha256?: string } }
interface Scenario { result: BootResult; userData: string; cloudConfig: { write_files: WriteFile[] }; metadata: Record<string, any>; throwaway: Throwaway }

const read = (r: BootResult, f: string) => readFileSync(join(r.dir, f), "utf8");
const json = <T>(r: BootResult, f: string): T => JSON.parse(read(r, f)) as T;
const decodeGuestinfo = (v: string, enc: string) => enc === "gzip+base64" ? gunzipSync(Buffer.from(v, "base64")).toString("utf8") : enc === "base64" ? Buffer.from(v, "base64").toString("utf8") : v;
const expectedBytes = (f: WriteFile) => f.encoding === "b64" || f.encoding === "base64" ? Buffer.from(f.content ?? "", "base64") : Buffer.from(f.content ?? "", "utf8");
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface KubeadmCall { argv: string[]; config?: string; etcKubernetes: string; kubeVip?: string }
function kubeadmCalls(r: BootResult): KubeadmCall[] {
  const d = join(r.dir, "kubeadm-calls");
  if (!existsSync(d)) return [];
  return readdirSync(d).sort().map((n) => ({
    argv: JSON.parse(readFileSync(join(d, n, "argv.json"), "utf8")) as string[],
    config: existsSync(join(d, n, "config.yaml")) ? readFileSync(join(d, n, "config.yaml"), "utf8") : undefined,
    etcKubernetes: readFileSync(join(d, n, "etc-kubernetes.txt"), "utf8"),
    kubeVip: existsSync(join(d, n, "kube-vip.yaml")) ? readFileSync(join(d, n, "kube-vip.yaml"), "utf8") : undefined,
  }));
}

/** Every file the guest left under a folder of its /etc/kubernetes copy (results/etc-kubernetes/...). */
function filesUnder(r: BootResult, rel: string): { path: string; text: string }[] {
  const root = join(r.dir, "etc-kubernetes", rel);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => { const p = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name); return { path: `/etc/kubernetes${p.slice(join(r.dir, "etc-kubernetes").length)}`, text: readFileSync(p, "latin1") }; });
}

/** A server certificate for the VIP signed by the throwaway cluster CA (what kube-apiserver presents). */
function apiServerCertificate(ca: { certPem: string; keyPem: string }, vip: string): { certPem: string; keyPem: string } {
  const d = mkdtempSync(join(tmpdir(), "vm-api-cert-"));
  try {
    writeFileSync(join(d, "ca.crt"), ca.certPem);
    writeFileSync(join(d, "ca.key"), ca.keyPem, { mode: 0o600 });
    writeFileSync(join(d, "ext"), `subjectAltName=IP:${vip}\nextendedKeyUsage=serverAuth\n`);
    execFileSync("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver", "-keyout", join(d, "s.key"), "-out", join(d, "s.csr")], { stdio: "ignore" });
    execFileSync("openssl", ["x509", "-req", "-in", join(d, "s.csr"), "-CA", join(d, "ca.crt"), "-CAkey", join(d, "ca.key"), "-set_serial", "0x1001", "-days", "2", "-extfile", join(d, "ext"), "-out", join(d, "s.crt")], { stdio: "ignore" });
    return { certPem: readFileSync(join(d, "s.crt"), "utf8"), keyPem: readFileSync(join(d, "s.key"), "utf8") };
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

async function scenario(name: string, kubeadm: "succeed" | "fail", target: PoolNode = node, apiAnswers = false): Promise<Scenario> {
  if (!existsSync(SYNTH)) throw new Error(`${SYNTH} is missing: run \`npm run synth\` first (.ci/run does)`);
  const synth = loadSynth(SYNTH);
  const { guestinfo, throwaway } = evaluateExtraConfig(vmByName(synth, target.name), synth);
  const userData = decodeGuestinfo(guestinfo["guestinfo.userdata"], guestinfo["guestinfo.userdata.encoding"]);
  const metadata = JSON.parse(decodeGuestinfo(guestinfo["guestinfo.metadata"], guestinfo["guestinfo.metadata.encoding"])) as Record<string, any>;
  const cloudConfig = parse(userData) as { write_files: WriteFile[] };
  let api: { certPem: string; keyPem: string } | undefined;
  if (apiAnswers) {
    // The CA the node pins is the one whose certificate it receives as ca.crt.
    const caFile = cloudConfig.write_files.find((f) => f.path === "/etc/kubernetes/bootstrap/ca.crt");
    const caPem = expectedBytes(caFile as WriteFile).toString("utf8");
    const ca = throwaway.certificates.find((c) => c.certPem === caPem);
    if (!ca) throw new Error("the node's ca.crt is none of the throwaway certificates");
    api = apiServerCertificate(ca, sandbox.kubernetes.apiVip);
  }
  const imageDir = buildImage();
  const result = await boot({
    name, imageDir, guestinfo,
    inputs: { paths: cloudConfig.write_files.map((f) => f.path).join("\n") + "\n", kubeadm },
    network: { cidr: sandbox.network.cidr, gateway: sandbox.network.gateway },
    apiVip: sandbox.kubernetes.apiVip,
    api,
  });
  console.log(`vm boot ${name}: ${result.seconds} s (results in ${result.dir})`);
  if (!result.exitedByItself) throw new Error(`the VM did not power off by itself within the timeout; serial console:\n${result.serial.slice(-6000)}`);
  if (!existsSync(join(result.dir, "cloud-init-status.json"))) throw new Error(`the guest wrote no results; serial console:\n${result.serial.slice(-6000)}`);
  return { result, userData, cloudConfig, metadata, throwaway };
}

/** Values that must never stay on disk under /etc/kubernetes/bootstrap: private keys and the join token. */
function leakedSecrets(s: Scenario): string[] {
  const needles = s.throwaway.secrets.flatMap((v) => [v.trim(), Buffer.from(v).toString("base64")]).filter((v) => v.length >= 8);
  return filesUnder(s.result, "bootstrap").filter((f) => /PRIVATE KEY/.test(f.text) || needles.some((n) => f.text.includes(n))).map((f) => f.path);
}

jest.setTimeout(30 * 60 * 1000);

run(`a real boot of ${node.name} (QEMU TCG guest that looks like vSphere, cloud-init 22.4)`, () => {
  let s: Scenario;
  beforeAll(async () => { s = await scenario("control-plane-init", "succeed"); });

  test("the guest is the vSphere platform cloud-init expects: DMI VMware, VMware datasource", () => {
    expect(read(s.result, "dmi.txt")).toMatch(/^VMware, Inc\.\nVMware Virtual Platform/);
    expect(read(s.result, "detect-virt.txt").trim()).toBe("vmware");
    expect(read(s.result, "cloud-id.txt").trim()).toBe("vmware");
  });

  test("cloud-init finished: status done, no errors in any stage", () => {
    const status = json<{ status: string; errors: string[]; datasource: string }>(s.result, "cloud-init-status.json");
    expect({ status: status.status, errors: status.errors }).toEqual({ status: "done", errors: [] });
    expect(read(s.result, "cloud-init-status.rc").trim()).toBe("0");
    expect(json<{ v1: { errors: string[] } }>(s.result, "result.json").v1.errors).toEqual([]);
    expect(read(s.result, "cloud-init.log")).not.toMatch(/Traceback|\bERROR\b/);
  });

  test("guestinfo: metadata and userdata read through vmware-rpctool, userdata cleared (info-set)", () => {
    const log = read(s.result, "rpctool.log");
    expect(log).toMatch(/info-get guestinfo\.metadata$/m);
    expect(log).toMatch(/info-get guestinfo\.userdata$/m);
    expect(log).toMatch(/info-set guestinfo\.userdata ---$/m);
    expect(log).toMatch(/info-set guestinfo\.userdata\.encoding\s*$/m);
    expect(read(s.result, "guestinfo/userdata")).toBe("---");
  });

  test("hostname, static IP and default route on the NIC named as in the metadata", () => {
    const [nic, eth] = Object.entries(s.metadata.network.ethernets as Record<string, { addresses: string[] }>)[0];
    expect(nic).toBe("ens192");
    expect(eth.addresses).toEqual([`${node.ip}/${sandbox.network.cidr.split("/")[1]}`]);
    expect(read(s.result, "hostname").trim()).toBe(node.name);
    const addrs = json<{ ifname: string; operstate: string; addr_info: { family: string; local: string; prefixlen: number }[] }[]>(s.result, "ip-addr.json");
    const link = addrs.find((a) => a.ifname === nic);
    expect(link).toBeDefined();
    expect(link?.addr_info.filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`)).toEqual(eth.addresses);
    const routes = json<{ dst: string; gateway?: string; dev: string }[]>(s.result, "ip-route.json");
    expect(routes).toContainEqual(expect.objectContaining({ dst: "default", gateway: sandbox.network.gateway, dev: nic }));
  });

  test("every write_files path exists with its mode, owner and exact content before runcmd", () => {
    const before = json<Snapshot>(s.result, "files-before-runcmd.json");
    expect(s.cloudConfig.write_files.length).toBeGreaterThan(10);
    const got = s.cloudConfig.write_files.map((f) => ({ path: f.path, ...before[f.path] }));
    const want = s.cloudConfig.write_files.map((f) => ({
      path: f.path, exists: true, mode: (f.permissions ?? "0644").padStart(4, "0"),
      owner: (f.owner ?? "root:root").split(":")[0], group: (f.owner ?? "root:root").split(":")[1], sha256: sha256(expectedBytes(f)),
    }));
    expect(got).toEqual(want);
  });

  test("containerd is active with our config (systemd cgroups, mirror sandbox image, certs.d) and the CRI plugin loaded", () => {
    expect(read(s.result, "units.txt")).toMatch(/^containerd active enabled$/m);
    const ours = s.cloudConfig.write_files.find((f) => f.path === "/etc/containerd/config.toml")?.content ?? "";
    const sandboxImage = /sandbox_image = "([^"]+)"/.exec(ours)?.[1];
    expect(sandboxImage).toMatch(/^gitlab\.example\.internal:5050\//);
    const dump = read(s.result, "containerd-config-dump.toml");
    expect(dump).toContain(`sandbox_image = "${sandboxImage}"`);
    expect(dump).toMatch(/SystemdCgroup = true/);
    expect(dump).toContain('config_path = "/etc/containerd/certs.d"');
    expect(read(s.result, "ctr-plugins.txt")).toMatch(/io\.containerd\.grpc\.v1\s+cri\s+linux\/amd64\s+ok/);
  });

  test("the bootstrap ran kubeadm init exactly once, with the node's InitConfiguration, the PKI and kube-vip in place", () => {
    const calls = kubeadmCalls(s.result);
    // init's throwaway token: generated before, deleted by id after (README "Join token").
    expect(calls.map((c) => c.argv.slice(0, 2).join(" "))).toEqual(["token generate", "init --config", "token delete"]);
    const init = calls[1];
    expect(init.argv).toContain("--config");
    const docs = parseAllDocuments(init.config ?? "").map((d) => d.toJS() as Record<string, any>);
    const initCfg = docs.find((d) => d.kind === "InitConfiguration");
    const clusterCfg = docs.find((d) => d.kind === "ClusterConfiguration");
    expect(initCfg?.nodeRegistration?.name).toBe(node.name);
    expect(initCfg?.localAPIEndpoint?.advertiseAddress).toBe(node.ip);
    expect(clusterCfg?.controlPlaneEndpoint).toBe(`${sandbox.kubernetes.apiVip}:6443`);
    expect(clusterCfg?.networking?.podSubnet).toBe(sandbox.kubernetes.podCidr);
    // kubeadm init uses Terraform's CA from disk, and kube-vip holds the VIP during init.
    for (const f of ["pki/ca.crt", "pki/ca.key", "pki/front-proxy-ca.key", "pki/etcd/ca.key", "pki/sa.key", "manifests/kube-vip.yaml"]) {
      expect(init.etcKubernetes).toMatch(new RegExp(` f /etc/kubernetes/${f.replace(/\./g, "\\.")}$`, "m"));
    }
    expect(init.kubeVip).toContain("/etc/kubernetes/super-admin.conf");
  });

  test("after init: kubelet enabled, kube-vip off super-admin.conf (removed), no secret left under /etc/kubernetes/bootstrap", () => {
    // enabled, so it starts on every boot (kubeadm itself starts it; the stand-in does not)
    expect(read(s.result, "units.txt")).toMatch(/^kubelet \S+ enabled$/m);
    const vip = readFileSync(join(s.result.dir, "etc-kubernetes/manifests/kube-vip.yaml"), "utf8");
    expect(vip).toContain("/etc/kubernetes/admin.conf");
    expect(vip).not.toContain("super-admin.conf");
    expect(leakedSecrets(s)).toEqual([]);
    expect(read(s.result, "k8s-bootstrap.log")).not.toMatch(/GIVING UP/);
    // super-admin.conf (system:masters) does not outlive init
    expect(read(s.result, "etc-kubernetes-final.txt")).not.toMatch(/super-admin\.conf$/m);
  });
});

run(`a real boot of ${node.name} whose kubeadm init fails`, () => {
  let s: Scenario;
  beforeAll(async () => { s = await scenario("control-plane-init-fails", "fail"); });

  test("kubeadm init was attempted, then one GIVING UP line and cloud-init reports the failed runcmd", () => {
    expect(kubeadmCalls(s.result).map((c) => c.argv[0])).toContain("init");
    expect(read(s.result, "k8s-bootstrap.log").match(/GIVING UP/g)).toHaveLength(1);
    const status = json<{ status: string; errors: string[] }>(s.result, "cloud-init-status.json");
    expect(status.status).toBe("error");
    expect(status.errors).toEqual([expect.stringMatching(/scripts-user.*runcmd/)]);
  });

  test("no secret left under /etc/kubernetes/bootstrap", () => {
    expect(leakedSecrets(s)).toEqual([]);
  });
});

run(`a real boot of ${worker.name} joining through the VIP (a fake API answers /readyz with the throwaway CA)`, () => {
  let s: Scenario;
  beforeAll(async () => { s = await scenario("worker-join", "succeed", worker, true); });

  test("cloud-init done without errors; static IP and default route", () => {
    const status = json<{ status: string; errors: string[] }>(s.result, "cloud-init-status.json");
    expect({ status: status.status, errors: status.errors }).toEqual({ status: "done", errors: [] });
    expect(read(s.result, "hostname").trim()).toBe(worker.name);
    const addrs = json<{ ifname: string; addr_info: { family: string; local: string }[] }[]>(s.result, "ip-addr.json");
    expect(addrs.find((a) => a.ifname === "ens192")?.addr_info.filter((a) => a.family === "inet").map((a) => a.local)).toEqual([worker.ip]);
    expect(json<{ dst: string; gateway?: string }[]>(s.result, "ip-route.json")).toContainEqual(expect.objectContaining({ dst: "default", gateway: sandbox.network.gateway }));
  });

  test("a worker receives no private key at all", () => {
    expect(s.userData).not.toMatch(/PRIVATE KEY/);
    for (const f of s.cloudConfig.write_files) expect(expectedBytes(f).toString("latin1")).not.toMatch(/PRIVATE KEY/);
  });

  test("the bootstrap waited for the CA-verified API, then ran kubeadm join once with the CA pinned and the token", () => {
    expect(readFileSync(join(s.result.run, "api-requests.log"), "utf8")).toMatch(/GET \/readyz /);
    const calls = kubeadmCalls(s.result);
    expect(calls.map((c) => c.argv[0])).toEqual(["join"]);
    const join_ = parseAllDocuments(calls[0].config ?? "").map((d) => d.toJS() as Record<string, any>).find((d) => d.kind === "JoinConfiguration");
    const caFile = s.cloudConfig.write_files.find((f) => f.path === "/etc/kubernetes/bootstrap/ca.crt") as WriteFile;
    const spki = new X509Certificate(expectedBytes(caFile)).publicKey.export({ type: "spki", format: "der" });
    const token = Object.entries(s.throwaway.values).filter(([k]) => /bootstrap_token_(id|secret)/.test(k)).sort(([a], [b]) => (a.includes("_id_") ? -1 : b.includes("_id_") ? 1 : 0)).map(([, v]) => v).join(".");
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(join_?.discovery?.bootstrapToken).toEqual(expect.objectContaining({
      apiServerEndpoint: `${sandbox.kubernetes.apiVip}:6443`, token, caCertHashes: [`sha256:${sha256(spki)}`],
    }));
    expect(join_?.discovery?.bootstrapToken?.unsafeSkipCAVerification).toBeUndefined();
    expect(join_?.nodeRegistration?.name).toBe(worker.name);
    expect(join_?.controlPlane).toBeUndefined();
  });

  test("after the join: containerd active, kubelet enabled, no secret left under /etc/kubernetes/bootstrap", () => {
    expect(read(s.result, "units.txt")).toMatch(/^containerd active enabled$/m);
    expect(read(s.result, "units.txt")).toMatch(/^kubelet \S+ enabled$/m);
    expect(leakedSecrets(s)).toEqual([]);
    expect(filesUnder(s.result, "bootstrap").map((f) => f.path)).not.toContain("/etc/kubernetes/bootstrap/kubeadm-join.yaml");
  });
});
