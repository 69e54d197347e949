import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { ReadinessGate } from "../../lib/cluster/readiness-gate";
import { describeWithTool } from "../tools";
import { issue, makeCa, type TestCa } from "./helpers/test-pki";
import { type ReadyzServer, startReadyzServer } from "./helpers/readyz-server";

/**
 * The readiness gate's local-exec exactly as synthesized (interpreter, command, environment), run by
 * /bin/sh (dash here; busybox ash on Alpine runners) against a loopback HTTPS server with a test CA.
 */
interface LocalExec {
  interpreter: string[];
  command: string;
  environment: Record<string, string>;
}

function synthesizedGate(outdir: string, endpoint: string, caCertPem: string, timeoutSeconds: number): LocalExec {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "gate");
  new ReadinessGate(stack, "api-ready", { endpoint, caCertPem, dependsOn: [], timeoutSeconds });
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, "stacks", "gate", "cdk.tf.json"), "utf8"));
  const [gate] = Object.values(json.resource.terraform_data as Record<string, { provisioner: { "local-exec": LocalExec }[] }>);
  return gate.provisioner[0]["local-exec"];
}

function run(exec: LocalExec): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(exec.interpreter[0], [...exec.interpreter.slice(1), exec.command], {
      // Polls 1 s apart instead of 10 (the only test-only knob of the script).
      env: { PATH: process.env.PATH, ...exec.environment, K8S_POLL_SECONDS: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

describeWithTool("dash", ["-c", "true"])("readiness gate, run by /bin/sh against a loopback API", () => {
  const dir = mkdtempSync(join(tmpdir(), "readiness-gate-"));
  let ca: TestCa;
  let otherCa: TestCa;
  let server: { cert: string; key: string };
  let api: ReadyzServer | undefined;

  beforeAll(() => {
    ca = makeCa(join(dir, "ca"), "kubernetes");
    otherCa = makeCa(join(dir, "other-ca"), "kubernetes");
    server = issue(ca, join(dir, "server"), "apiserver", ["127.0.0.1"]);
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const gate = (caPem: string, timeout: number) => synthesizedGate(mkdtempSync(join(dir, "synth-")), api!.url, caPem, timeout);

  test("the interpreter is /bin/sh, which is dash here (no bash needed on the runner)", async () => {
    api = await startReadyzServer(server, "127.0.0.1", 0, () => true);
    const exec = gate(ca.certPem, 30);
    expect(exec.interpreter).toEqual(["/bin/sh", "-c"]);
    expect(realpathSync("/bin/sh")).toMatch(/dash$/);
  });

  test("succeeds at once when /readyz says ok", async () => {
    api = await startReadyzServer(server, "127.0.0.1", 0, () => true);
    const r = await run(gate(ca.certPem, 30));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${api.url} is ready`);
    expect(api.requests).toBe(1);
  });

  test("retries while the API is not ready, then succeeds", async () => {
    api = await startReadyzServer(server, "127.0.0.1", 0, (n) => n >= 3);
    const r = await run(gate(ca.certPem, 30));
    expect(r.code).toBe(0);
    expect(api.requests).toBe(3);
    expect(r.seconds).toBeGreaterThanOrEqual(2);
  });

  test("gives up within its bound, with one clear message", async () => {
    api = await startReadyzServer(server, "127.0.0.1", 0, () => false);
    const r = await run(gate(ca.certPem, 3));
    expect(r.code).toBe(1);
    expect(r.stderr.match(/GIVING UP/g)).toHaveLength(1);
    expect(r.stderr).toContain(`GIVING UP: ${api.url}/readyz not ready after 3 s: `);
    expect(r.stderr).toContain("503");
    expect(r.seconds).toBeLessThan(3 + 1 + 2);
  });

  test("fails when the server's certificate is not from the cluster CA (no way around TLS)", async () => {
    api = await startReadyzServer(server, "127.0.0.1", 0, () => true);
    const r = await run(gate(otherCa.certPem, 2));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GIVING UP: .* not ready after 2 s: curl: \(60\) SSL certificate problem/);
    // It never got an HTTP answer: the handshake failed before any request.
    expect(api.requests).toBe(0);
  });
});
