import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack, TerraformVariable } from "cdktf";
import { PodNetworkGate } from "../../lib/platform/pod-network-gate";
import { describeWithTool } from "../tools";
import { issue, makeCa, type TestCa } from "./helpers/test-pki";
import { CALICO_VERSION, type CalicoStatus, startTigeraStatusServer, type TigeraStatusServer } from "./helpers/tigerastatus-server";

/**
 * The pod network gate's local-exec exactly as synthesized (interpreter, command, environment), run by
 * /bin/sh (dash here) with curl against a loopback HTTPS stand-in for the API server that serves
 * tigerastatus/calico and installation/default and accepts only client certificates of the cluster CA. The one Terraform function
 * in the environment, sensitive() around the client key, is asserted and then evaluated here; the last
 * test lets Terraform itself run the synthesized JSON.
 */
interface LocalExec {
  interpreter: string[];
  command: string;
  environment: Record<string, string>;
}

interface Credentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** `keyVariable`: the key is a Terraform value (a variable), as in a real stack (tls_private_key), not a literal. */
function synthesize(outdir: string, endpoint: string, creds: Credentials, timeoutSeconds: number, keyVariable?: string): { json: any; exec: LocalExec } {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "gate");
  const clientKey = keyVariable ? new TerraformVariable(stack, keyVariable, { type: "string" }).stringValue : creds.keyPem;
  new PodNetworkGate(stack, "pod-network-ready", {
    connection: { host: endpoint, clusterCaCertificate: creds.caPem, clientCertificate: creds.certPem, clientKey },
    dependsOn: [],
    calicoVersion: CALICO_VERSION,
    timeoutSeconds,
  });
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, "stacks", "gate", "cdk.tf.json"), "utf8"));
  const [gate] = Object.values(json.resource.terraform_data as Record<string, { provisioner: { "local-exec": LocalExec }[] }>);
  return { json, exec: gate.provisioner[0]["local-exec"] };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function spawnRun(command: string, args: string[], env: Record<string, string | undefined>, cwd?: string): Promise<Run> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { env, cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

describeWithTool("curl")("pod network gate, run by /bin/sh with curl against a loopback API", () => {
  const dir = mkdtempSync(join(tmpdir(), "pod-network-gate-"));
  let ca: TestCa;
  let otherCa: TestCa;
  let server: { cert: string; key: string };
  let admin: Credentials;
  let api: TigeraStatusServer | undefined;

  beforeAll(() => {
    ca = makeCa(join(dir, "ca"), "kubernetes");
    otherCa = makeCa(join(dir, "other-ca"), "kubernetes");
    server = issue(ca, join(dir, "server"), "apiserver", ["127.0.0.1"]);
    const client = issue(ca, join(dir, "admin"), "kubernetes-admin", []);
    admin = { caPem: ca.certPem, certPem: readFileSync(client.cert, "utf8"), keyPem: readFileSync(client.key, "utf8") };
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const serve = async (status: (n: number) => CalicoStatus, running?: (n: number) => string | undefined) => {
    api = await startTigeraStatusServer({ ...server, clientCaPem: ca.certPem }, status, running);
    return api;
  };

  /** Runs the synthesized command under its interpreter; its temp files go to a fresh TMPDIR we can inspect. */
  const run = async (creds: Credentials, timeout: number): Promise<Run & { tmp: string }> => {
    const { exec } = synthesize(mkdtempSync(join(dir, "synth-")), api!.url, creds, timeout);
    expect(exec.interpreter).toEqual(["/bin/sh", "-c"]);
    // The only Terraform expression in the environment: evaluated here as Terraform would.
    expect(exec.environment.K8S_CLIENT_KEY_PEM).toBe(`\${sensitive(${JSON.stringify(creds.keyPem)})}`);
    const tmp = mkdtempSync(join(dir, "tmp-"));
    const env = { PATH: process.env.PATH, TMPDIR: tmp, ...exec.environment, K8S_CLIENT_KEY_PEM: creds.keyPem, K8S_POLL_SECONDS: "1" };
    const r = await spawnRun(exec.interpreter[0], [...exec.interpreter.slice(1), exec.command], env);
    return { ...r, tmp };
  };

  test("succeeds at once when tigerastatus/calico is Available, and leaves no key file behind", async () => {
    await serve(() => "available");
    const r = await run(admin, 30);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`pod network ready: tigerastatus/calico is Available (Calico ${CALICO_VERSION})`);
    expect(api!.requests).toBe(1);
    expect(api!.installationRequests).toBe(1);
    expect(readdirSync(r.tmp)).toEqual([]);
  });

  test("retries while the status is missing, then progressing, then succeeds (pretty-printed, other field order)", async () => {
    await serve((n) => (n === 1 ? "missing" : n === 2 ? "progressing" : "available-pretty"));
    const r = await run(admin, 30);
    expect(r.code).toBe(0);
    expect(api!.requests).toBe(3);
    expect(r.seconds).toBeGreaterThanOrEqual(2);
  });

  test("right after a Calico bump, a stale Available (the Installation still reports the old Calico) does NOT pass", async () => {
    await serve(() => "available", () => "v3.31.4");
    const r = await run(admin, 3);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("pod network ready");
    expect(api!.requests).toBe(0);
    expect(api!.installationRequests).toBeGreaterThanOrEqual(2);
    expect(r.stderr.match(/GIVING UP/g)).toHaveLength(1);
    expect(r.stderr).toContain(`installation/default reports Calico 'v3.31.4', not ${CALICO_VERSION}: the operator has not finished rolling out this release`);
  });

  test("passes once the operator reports the new Calico (none yet on a fresh install, then the old one, then the new) and tigerastatus is Available", async () => {
    await serve(() => "available", (n) => (n === 1 ? undefined : n === 2 ? "v3.31.4" : CALICO_VERSION));
    const r = await run(admin, 30);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pod network ready");
    expect(api!.installationRequests).toBe(3);
    expect(api!.requests).toBe(1);
  });

  test("a version that only starts with the pinned one (v3.32.10) is not it", async () => {
    await serve(() => "available", () => `${CALICO_VERSION}0`);
    const r = await run(admin, 2);
    expect(r.code).toBe(1);
    expect(api!.requests).toBe(0);
  });

  test("is not fooled by another condition being True while Available is False", async () => {
    await serve(() => "progressing");
    const r = await run(admin, 2);
    expect(r.code).toBe(1);
    expect(api!.requests).toBeGreaterThanOrEqual(2);
  });

  test("gives up within its bound, with one clear message naming the last state", async () => {
    await serve(() => "progressing");
    const r = await run(admin, 3);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/GIVING UP/g)).toHaveLength(1);
    expect(r.stderr).toContain(`GIVING UP: pod network not ready after 3 s (${api!.url}/apis/operator.tigera.io/v1/tigerastatuses/calico): tigerastatus/calico is not Available: `);
    expect(r.stderr).toContain('"status":"False","type":"Available"');
    expect(r.stderr).toContain("ResourceNotReady");
    expect(r.seconds).toBeLessThan(3 + 1 + 3);
    expect(readdirSync(r.tmp)).toEqual([]);
  });

  test("gives up on a status that never appears, naming the 404", async () => {
    await serve(() => "missing");
    const r = await run(admin, 2);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GIVING UP: .*: curl: \(22\) The requested URL returned error: 404/);
    expect(api!.installationRequests).toBeGreaterThanOrEqual(1);
  });

  test("fails when the server's certificate is not from the cluster CA (no way around TLS)", async () => {
    await serve(() => "available");
    const r = await run({ ...admin, caPem: otherCa.certPem }, 2);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GIVING UP: .* curl: \(60\) SSL certificate problem/);
    expect(api!.requests).toBe(0);
  });

  test("authenticates with the client certificate: one from another CA is refused in the handshake", async () => {
    await serve(() => "available");
    const stranger = issue(otherCa, join(dir, "stranger"), "stranger", []);
    const r = await run({ ...admin, certPem: readFileSync(stranger.cert, "utf8"), keyPem: readFileSync(stranger.key, "utf8") }, 2);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GIVING UP: .*curl: \(\d+\)/);
    expect(api!.requests).toBe(0);
  });

  describeWithTool("terraform", ["version"])("run by Terraform itself (terraform_data + local-exec)", () => {
    test("the key is sensitive: Terraform hides the progress output, never prints the key, and shows GIVING UP in the error", async () => {
      await serve(() => "progressing");
      const outdir = mkdtempSync(join(dir, "tf-"));
      // Not marked sensitive at the source: the gate's own sensitive() must be what hides it.
      const { json } = synthesize(outdir, api!.url, admin, 2, "admin_key");
      const work = join(outdir, "work");
      mkdirSync(work);
      // State in the scratch directory (cdktf's local backend path points at the project).
      delete json.terraform.backend;
      writeFileSync(join(work, "main.tf.json"), JSON.stringify(json));
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, K8S_POLL_SECONDS: "1", TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_VAR_admin_key: admin.keyPem };
      const init = await spawnRun("terraform", ["init", "-input=false", "-no-color"], env, work);
      expect(init.code).toBe(0);
      const apply = await spawnRun("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], env, work);
      const out = apply.stdout + apply.stderr;
      expect(apply.code).toBe(1);
      expect(out).toContain("(output suppressed due to sensitive value in config)");
      expect(out).toContain("GIVING UP: pod network not ready after 2 s");
      const keyBody = admin.keyPem.split("\n")[1];
      expect(out).not.toContain(keyBody);
      expect(readFileSync(join(work, "terraform.tfstate"), "utf8")).not.toContain(keyBody);
    });
  });
});
