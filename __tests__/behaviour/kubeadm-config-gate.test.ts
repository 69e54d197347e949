/**
 * The kubeadm-config gate's script run by /bin/sh (dash here) with curl, as Terraform's local-exec runs
 * it, against a loopback HTTPS stand-in for the API server that demands a client certificate of the
 * cluster CA and answers 404 for kube-system/kubeadm-config until `kubeadm init` "uploads" it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KUBEADM_CONFIG_PATH, KUBEADM_CONFIG_WAIT_SCRIPT } from "../../lib/cluster/kubeadm-config-gate";
import { describeWithTools } from "../tools";
import { issue, makeCa } from "./helpers/test-pki";

interface Run { code: number | null; stdout: string; stderr: string }

describeWithTools([["curl"], ["dash", ["-c", "true"]]])("kubeadm-config gate, run by dash with curl against a loopback API", () => {
  const dir = mkdtempSync(join(tmpdir(), "kubeadm-config-gate-"));
  let server: Server;
  let url = "";
  let requests = 0;
  /** The request number from which the ConfigMap exists. */
  let uploadedAt = 3;
  let env: Record<string, string>;

  beforeAll(async () => {
    const ca = makeCa(join(dir, "ca"), "kubernetes");
    const tls = issue(ca, join(dir, "server"), "apiserver", ["127.0.0.1"]);
    const admin = issue(ca, join(dir, "admin"), "kubernetes-admin", []);
    server = createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      if (req.url !== KUBEADM_CONFIG_PATH) return void res.writeHead(404).end();
      requests += 1;
      res.writeHead(requests >= uploadedAt ? 200 : 404, { "content-type": "application/json" }).end("{}");
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    env = { K8S_ENDPOINT: url, K8S_CA_PEM: ca.certPem, K8S_CLIENT_CERT_PEM: readFileSync(admin.cert, "utf8"), K8S_CLIENT_KEY_PEM: readFileSync(admin.key, "utf8"), K8S_POLL_SECONDS: "1" };
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (wait: number, tmp: string): Promise<Run> =>
    new Promise((done) => {
      const child = spawn("dash", ["-c", KUBEADM_CONFIG_WAIT_SCRIPT], { env: { PATH: process.env.PATH, TMPDIR: tmp, ...env, K8S_WAIT_SECONDS: String(wait) } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => done({ code, stdout, stderr }));
    });

  it("waits through 404s until the ConfigMap exists, and leaves no key file behind", async () => {
    requests = 0;
    uploadedAt = 3;
    const tmp = mkdtempSync(join(dir, "tmp-"));
    const r = await run(30, tmp);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain("kube-system/kubeadm-config exists");
    expect(requests).toBe(3);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("gives up with one line naming the URL and the last error", async () => {
    requests = 0;
    uploadedAt = Number.MAX_SAFE_INTEGER;
    const r = await run(2, mkdtempSync(join(dir, "tmp-")));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^GIVING UP: ${url.replace(/[.]/g, "\\.")}${KUBEADM_CONFIG_PATH} not there after 2 s: .*404`));
  });
});
