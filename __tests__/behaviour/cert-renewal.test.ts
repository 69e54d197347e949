/**
 * The certificate renewal a control-plane node's cloud-config carries, run under bash in a temporary root
 * with REAL certificates (openssl, a test CA; some near expiry, some not). Stand-ins only for what needs a
 * running node: kubeadm (its `certs renew all` re-issues every certificate with openssl from the test CA,
 * with new keys, as kubeadm does), crictl (a static pod's container runs while its manifest is in the
 * folder, as the kubelet makes it) and curl (health endpoints: it verifies the client certificate it is
 * given against the CA it is given, so a health check proves the renewed files). The units are checked by
 * the real `systemd-analyze verify`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import {
  CERT_RENEWAL_LOG, CERT_RENEWAL_SCRIPT_PATH, CERT_RENEWAL_SERVICE_PATH, CERT_RENEWAL_TIMER_PATH, RENEWED_CERTIFICATES, RESTARTED_STATIC_PODS,
} from "../../lib/cluster/cert-renewal";
import { renderedCloudConfigs } from "../../lib/cluster/rendered-files";
import { environments } from "../../stacks/app";
import { makeCa, type TestCa } from "./helpers/test-pki";
import { describeWithTool, describeWithTools } from "../tools";

jest.setTimeout(60_000);

type WriteFile = { path: string; content: string; permissions: string };
const cloudConfig = (node: string): WriteFile[] =>
  (parse(renderedCloudConfigs(environments.prod as never).get(`${node}.cloud-config.yaml`)!) as { write_files: WriteFile[] }).write_files;
const fileOf = (files: WriteFile[], path: string) => files.find((f) => f.path === path)!;
const NODE = "prod-control-plane-1";
const renewBeforeDays = Number(/^ExecStart=\S+ (\d+)$/m.exec(fileOf(cloudConfig(NODE), CERT_RENEWAL_SERVICE_PATH).content)![1]);

const RECORD = String.raw`echo "$(basename "$0") $*" >>"$LAB/commands.log"`;
/** Like kubeadm: every certificate it manages that exists is re-issued, one year, new key, same subject. */
const KUBEADM = String.raw`#!/bin/bash
set -eu
${RECORD}
[ "$1 $2 $3" = "certs renew all" ] || exit 2
K=$K8S_BOOTSTRAP_ROOT/etc/kubernetes
issue() { # issue CN OUT_CRT OUT_KEY: one openssl call, a new key
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" -keyout "$3" -out "$2" \
    -CA "$LAB/ca/ca.crt" -CAkey "$LAB/ca/ca.key" -days "$(printenv LAB_RENEW_DAYS || echo 365)" 2>/dev/null
}
for f in "$K"/pki/*.crt "$K"/pki/etcd/*.crt; do
  case "$(basename "$f")" in ca.crt|front-proxy-ca.crt) continue ;; esac
  issue "$(basename "$f" .crt)" "$f" "$${"{"}f%.crt}.key"
  echo "[renew] certificate $(basename "$f") renewed"
  # A failure halfway, after some files were rewritten: the script must put the old ones back.
  [ -z "$(printenv LAB_FAIL_RENEW)" ] || { echo "[renew] failed to renew the next certificate: disk full" >&2; exit 1; }
done
for f in "$K"/*.conf; do
  issue "$(basename "$f" .conf)" "$LAB/renew.crt" "$LAB/renew.key"
  sed -i "s|client-certificate-data: .*|client-certificate-data: $(base64 -w0 <"$LAB/renew.crt")|" "$f"
  echo "[renew] certificate embedded in the kubeconfig file $(basename "$f") renewed"
done
`;
/**
 * The kubelet's view: a static pod's container runs while its manifest is in the folder; once the manifest
 * was seen gone, its return starts a new container (a new id).
 */
const CRICTL = String.raw`#!/bin/bash
${RECORD} [manifests: $(ls "$K8S_BOOTSTRAP_ROOT/etc/kubernetes/manifests" | tr '\n' ' ')]
name=$3; name=$${"{"}name#^}; name=$${"{"}name%$}
generation=$LAB/generation-$name
[ -f "$generation" ] || echo 1 >"$generation"
if [ -f "$K8S_BOOTSTRAP_ROOT/etc/kubernetes/manifests/$name.yaml" ]; then
  [ -f "$LAB/stopped-$name" ] && { echo $(($(cat "$generation") + 1)) >"$generation"; rm "$LAB/stopped-$name"; }
  echo "$name-$(cat "$generation")"
else
  touch "$LAB/stopped-$name"
fi
exit 0
`;
/** Health endpoints: answer unless LAB_UNHEALTHY names the URL's port; a client certificate must verify against the CA. */
const CURL = String.raw`#!/bin/bash
${RECORD}
cacert=""; cert=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in --cacert) cacert=$2; shift ;; --cert) cert=$2; shift ;; --key|--max-time|--resolve) shift ;; https://*) url=$1 ;; esac
  shift
done
[ -z "$cacert" ] || [ -f "$cacert" ] || exit 77
[ -z "$cert" ] || openssl verify -CAfile "$cacert" "$cert" >/dev/null || exit 58
case "$url" in *":$(printenv LAB_UNHEALTHY)/"*) [ -n "$(printenv LAB_UNHEALTHY)" ] && exit 7 ;; esac
echo ok
`;

const DAY = 86_400;
const KUBECONFIGS = ["admin", "controller-manager", "scheduler"]; // super-admin.conf is deleted after init

class RenewalLab {
  readonly dir = mkdtempSync(join(tmpdir(), "cert-renewal-"));
  readonly root = join(this.dir, "root");
  readonly ca: TestCa = makeCa(join(this.dir, "ca"), "kubernetes");
  private readonly bin = join(this.dir, "bin");

  constructor() {
    for (const f of cloudConfig(NODE)) {
      if (![CERT_RENEWAL_SCRIPT_PATH].includes(f.path)) continue;
      const path = join(this.root, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
      chmodSync(path, parseInt(f.permissions, 8));
    }
    mkdirSync(join(this.root, "var/log"), { recursive: true });
    mkdirSync(join(this.root, "etc/kubernetes/manifests"), { recursive: true });
    for (const pod of RESTARTED_STATIC_PODS) writeFileSync(join(this.root, `etc/kubernetes/manifests/${pod}.yaml`), `# ${pod}\n`);
    writeFileSync(join(this.root, "etc/kubernetes/manifests/kube-vip.yaml"), "# kube-vip\n");
    mkdirSync(join(this.root, "etc/kubernetes/pki/etcd"), { recursive: true });
    for (const ca of ["ca", "etcd/ca", "front-proxy-ca"]) writeFileSync(join(this.root, `etc/kubernetes/pki/${ca}.crt`), this.ca.certPem);
    mkdirSync(this.bin);
    for (const [name, text] of Object.entries({ kubeadm: KUBEADM, crictl: CRICTL, curl: CURL })) {
      writeFileSync(join(this.bin, name), text);
      chmodSync(join(this.bin, name), 0o755);
    }
  }

  /** A certificate from the lab CA valid for `days`, with the lab's one key (one openssl call: the host is busy). */
  private issue(cn: string, days: number, crt: string, key: string): void {
    if (!existsSync(join(this.dir, "lab.key"))) execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", join(this.dir, "lab.key")]);
    writeFileSync(key, readFileSync(join(this.dir, "lab.key")));
    execFileSync("openssl", [
      "req", "-x509", "-new", "-key", key, "-subj", `/CN=${cn.replace("/", "-")}`, "-CA", join(this.ca.dir, "ca.crt"), "-CAkey", join(this.ca.dir, "ca.key"), "-days", String(days), "-out", crt,
    ], { stdio: "ignore" });
  }

  /** Every kubeadm certificate and kubeconfig valid for `days`, except those in `except`. */
  certificates(days: number, except: Record<string, number> = {}): void {
    for (const c of RENEWED_CERTIFICATES) {
      const base = join(this.root, "etc/kubernetes/pki", c);
      this.issue(c, except[c] ?? days, `${base}.crt`, `${base}.key`);
    }
    for (const k of KUBECONFIGS) {
      const crt = join(this.dir, `${k}.crt`);
      this.issue(k, except[k] ?? days, crt, join(this.dir, `${k}.key`));
      const b64 = (f: string) => Buffer.from(readFileSync(f)).toString("base64");
      writeFileSync(join(this.root, `etc/kubernetes/${k}.conf`), [
        "apiVersion: v1", "kind: Config", "users:", `- name: ${k}`, "  user:", `    client-certificate-data: ${b64(crt)}`, `    client-key-data: ${b64(join(this.dir, `${k}.key`))}`, "",
      ].join("\n"));
    }
  }

  run(env: Record<string, string> = {}): { code: number | null; output: string } {
    rmSync(join(this.dir, "commands.log"), { force: true });
    const r = spawnSync(join(this.root, CERT_RENEWAL_SCRIPT_PATH), [String(renewBeforeDays)], {
      encoding: "utf8",
      env: { PATH: `${this.bin}:/usr/sbin:/usr/bin:/sbin:/bin`, K8S_BOOTSTRAP_ROOT: this.root, TMPDIR: this.dir, LAB: this.dir, ...env },
    });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  }

  commands(): string[] {
    const path = join(this.dir, "commands.log");
    return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n") : [];
  }

  log(): string {
    return readFileSync(join(this.root, CERT_RENEWAL_LOG), "utf8");
  }

  /** Days left on a certificate file or a kubeconfig's embedded one. */
  daysLeft(name: string): number {
    const file = (RENEWED_CERTIFICATES as readonly string[]).includes(name) ? join(this.root, "etc/kubernetes/pki", `${name}.crt`) : join(this.root, `etc/kubernetes/${name}.conf`);
    let pem = readFileSync(file, "utf8");
    if (file.endsWith(".conf")) pem = Buffer.from(/client-certificate-data: (\S+)/.exec(pem)![1], "base64").toString();
    const end = execFileSync("openssl", ["x509", "-noout", "-enddate"], { input: pem, encoding: "utf8" }).trim().split("=")[1];
    return Math.round((Date.parse(end) / 1000 - Date.now() / 1000) / DAY);
  }

  /** Every file under etc/kubernetes with its content, to compare before and after. */
  snapshot(): Record<string, string> {
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    return Object.fromEntries(walk(join(this.root, "etc/kubernetes")).map((f) => [f.slice(this.root.length), readFileSync(f, "utf8")]));
  }

  manifests(): string[] {
    return readdirSync(join(this.root, "etc/kubernetes/manifests")).sort();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describeWithTools([["openssl", ["version"]], ["flock", ["--version"]]])("kubeadm certificate renewal on a control-plane node (real openssl, bash)", () => {
  let lab: RenewalLab;
  beforeEach(() => (lab = new RenewalLab()));
  afterEach(() => lab.remove());

  it(`renders the tier's threshold into the unit (${renewBeforeDays} days on prod)`, () => {
    expect(renewBeforeDays).toBe(90);
  });

  it("a healthy set (every certificate beyond the threshold) does nothing, and says so", () => {
    lab.certificates(365);
    const before = lab.snapshot();
    const run = lab.run();
    expect(run.code).toBe(0);
    expect(lab.commands()).toEqual([]);
    expect(lab.snapshot()).toEqual(before);
    expect(lab.log()).toMatch(/every kubeadm certificate is valid for more than 90 days: nothing to do\n$/);
    expect(statSync(join(lab.root, CERT_RENEWAL_LOG)).mode & 0o777).toBe(0o600);
  });

  it("one certificate under the threshold: renews them all, restarts etcd, API server, controller-manager, scheduler one at a time", () => {
    lab.certificates(300, { "etcd/peer": 20 });
    const oldKey = readFileSync(join(lab.root, "etc/kubernetes/pki/apiserver.key"), "utf8");
    const run = lab.run();
    expect(run.code).toBe(0);
    for (const c of [...RENEWED_CERTIFICATES, ...KUBECONFIGS]) expect(lab.daysLeft(c)).toBeGreaterThanOrEqual(364);
    expect(readFileSync(join(lab.root, "etc/kubernetes/pki/apiserver.key"), "utf8")).not.toBe(oldKey);
    expect(lab.log()).toContain("certificates expiring within 90 days: /etc/kubernetes/pki/etcd/peer.crt (notAfter");

    const commands = lab.commands();
    expect(commands[0]).toBe("kubeadm certs renew all");
    // Each component: its container seen, seen gone while only its own manifest is out, a new one seen with
    // every manifest back, then its health endpoint.
    const restarts = commands.slice(1).filter((c) => c.startsWith("crictl") || c.startsWith("curl"));
    const all = ["etcd.yaml", "kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml", "kube-vip.yaml"];
    const crictl = (pod: string, manifests: string[]) => `crictl ps --name ^${pod}$ -q [manifests: ${manifests.join(" ")} ]`;
    const expected = RESTARTED_STATIC_PODS.flatMap((pod) => [
      crictl(pod, all), crictl(pod, all.filter((m) => m !== `${pod}.yaml`)), crictl(pod, all), expect.stringMatching(/^curl /),
    ]);
    expect(restarts).toEqual(expected);
    expect(restarts[3]).toContain("https://127.0.0.1:2379/health");
    expect(restarts[7]).toContain("https://kubernetes:6443/livez");
    expect(lab.manifests()).toEqual(all);
    expect(lab.log()).toMatch(/restarted etcd with the renewed certificates: healthy\n.*restarted kube-apiserver.*\n.*restarted kube-controller-manager.*\n.*restarted kube-scheduler.*\n.*done: kubeadm certificates renewed/);

    // Idempotent: the next day's run finds nothing to do.
    expect(lab.run().code).toBe(0);
    expect(lab.commands()).toEqual([]);
  });

  it("a kubeconfig's embedded client certificate near expiry is reason enough", () => {
    lab.certificates(300, { scheduler: 10 });
    expect(lab.run().code).toBe(0);
    expect(lab.log()).toContain("/etc/kubernetes/scheduler.conf (notAfter");
    expect(lab.daysLeft("scheduler")).toBeGreaterThanOrEqual(364);
  });

  it("kubeadm failing halfway leaves every file as it was, restarts nothing and exits non-zero", () => {
    lab.certificates(300, { apiserver: 5 });
    const before = lab.snapshot();
    const run = lab.run({ LAB_FAIL_RENEW: "1" });
    expect(run.code).toBe(1);
    expect(lab.snapshot()).toEqual(before);
    expect(lab.commands()).toEqual(["kubeadm certs renew all"]);
    expect(lab.log()).toMatch(/restored the previous certificates\n.*FAILED: kubeadm certs renew all failed/);
    expect(lab.log()).toContain("[renew] failed to renew the next certificate: disk full"); // kubeadm's output, in the log
  });

  it("renewed certificates still under the threshold are refused and the old ones put back", () => {
    lab.certificates(300, { apiserver: 5 });
    const before = lab.snapshot();
    expect(lab.run({ LAB_RENEW_DAYS: "60" }).code).toBe(1);
    expect(lab.snapshot()).toEqual(before);
    expect(lab.log()).toContain("FAILED: still expiring within 90 days after kubeadm certs renew all");
  });

  it("a component that does not come back stops the round: its manifest is back, the next ones untouched", () => {
    lab.certificates(300, { apiserver: 5 });
    const run = lab.run({ LAB_UNHEALTHY: "6443", K8S_CERT_RENEWAL_STEP_TIMEOUT: "3" });
    expect(run.code).toBe(1);
    expect(lab.log()).toContain("restarted etcd with the renewed certificates: healthy");
    expect(lab.log()).toContain("FAILED: kube-apiserver did not come back healthy within 3 s");
    expect(lab.manifests()).toContain("kube-apiserver.yaml");
    expect(lab.commands().filter((c) => /--name \^kube-(controller-manager|scheduler)|:1025[79]\//.test(c))).toEqual([]);
  });

  it("a node that is not a control-plane member yet does nothing", () => {
    expect(lab.run().code).toBe(0);
    expect(lab.commands()).toEqual([]);
    expect(lab.log()).toContain("is not a control-plane member (yet): nothing to do");
  });
});

describeWithTool("systemd-analyze", ["--version"])("the renewal units (systemd-analyze verify)", () => {
  it.each(["prod-control-plane-1", "prod-control-plane-3"])("%s: service and timer verify; the timer runs in a window of its own", (node) => {
    const dir = mkdtempSync(join(tmpdir(), "cert-renewal-units-"));
    const files = cloudConfig(node);
    const script = join(dir, "k8s-cert-renewal");
    writeFileSync(script, fileOf(files, CERT_RENEWAL_SCRIPT_PATH).content, { mode: 0o755 });
    for (const path of [CERT_RENEWAL_SERVICE_PATH, CERT_RENEWAL_TIMER_PATH]) {
      // The script at a path that exists here (verify checks ExecStart's executable).
      writeFileSync(join(dir, path.split("/").pop()!), fileOf(files, path).content.replaceAll(CERT_RENEWAL_SCRIPT_PATH, script));
    }
    const run = spawnSync("systemd-analyze", ["verify", "--man=no", join(dir, "k8s-cert-renewal.service"), join(dir, "k8s-cert-renewal.timer")], { encoding: "utf8" });
    // Only complaints about our units count (the host's own units may be incomplete in a container).
    const ours = `${run.stdout}${run.stderr}`.split("\n").filter((l) => l.includes("k8s-cert-renewal"));
    expect(ours).toEqual([]);
    expect(run.status).toBe(0);
    expect(fileOf(files, CERT_RENEWAL_TIMER_PATH).content).toContain(node.endsWith("-1") ? "OnCalendar=*-*-* 01:00:00" : "OnCalendar=*-*-* 05:00:00");
    rmSync(dir, { recursive: true, force: true });
  });
});
