import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appBillsOfMaterials } from "../../lib/bom/bill-of-materials";
import { MANIFEST_ACCEPT, missingImages } from "../../lib/bom/verify";
import type { BillOfMaterials } from "../../lib/bom/types";
import { buildApp } from "../../stacks/app";
import { prodCopy } from "../helpers/environments";
import { describeWithTools } from "../tools";
import { makeTestCa } from "./test-ca";

// `npm run bom -- --verify` against Debian's docker-registry (distribution 2.8) on loopback, with TLS from a
// throwaway CA and htpasswd auth: the test pushes half of prod's images (a tiny config blob + OCI manifest
// each, through the registry API) and --verify must report exactly the other half.

const USER = "deploy-token";
const PASSWORD = "s3cret-token";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

interface Answer {
  status: number;
  headers: Record<string, unknown>;
}

function call(ca: string, method: string, url: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { Authorization: auth, ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const sha256 = (data: Buffer | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Pushes `<name>:<tag>` as a minimal OCI image (one config blob, no layers) through the registry API. */
async function pushImage(ca: string, base: string, name: string, tag: string): Promise<void> {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  const start = await call(ca, "POST", `${base}/v2/${name}/blobs/uploads/`);
  if (start.status !== 202) throw new Error(`upload start ${name}: ${start.status}`);
  const location = new URL(String(start.headers.location), base);
  location.searchParams.set("digest", sha256(config));
  const put = await call(ca, "PUT", location.toString(), config, { "Content-Type": "application/octet-stream" });
  if (put.status !== 201) throw new Error(`blob ${name}: ${put.status}`);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
    layers: [],
  });
  const m = await call(ca, "PUT", `${base}/v2/${name}/manifests/${tag}`, manifest, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" });
  if (m.status !== 201) throw new Error(`manifest ${name}:${tag}: ${m.status}`);
}

async function waitForRegistry(ca: string, base: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await call(ca, "GET", `${base}/v2/`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("docker-registry did not come up");
}

describeWithTools([["docker-registry", ["--version"]], ["openssl", ["version"]], ["python3", ["--version"]]])("npm run bom -- --verify against a real registry", () => {
  let registry: ChildProcess;
  let bom: BillOfMaterials;
  let caPem: string;
  let present: string[];
  let absent: string[];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "bom-registry-"));
    const tls = makeTestCa();
    caPem = readFileSync(tls.caFile, "utf8");
    writeFileSync(join(dir, "server.crt"), tls.cert);
    writeFileSync(join(dir, "server.key"), tls.key);
    // bcrypt (cost 4: every request checks it), as distribution's htpasswd auth requires (libxcrypt through python3's crypt).
    const hash = execFileSync("python3", ["-W", "ignore", "-c", `import crypt; print(crypt.crypt(${JSON.stringify(PASSWORD)}, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))`], { encoding: "utf8" }).trim();
    writeFileSync(join(dir, "htpasswd"), `${USER}:${hash}\n`);
    const port = await freePort();
    writeFileSync(
      join(dir, "config.yml"),
      [
        "version: 0.1",
        "log: { level: error }",
        `storage: { filesystem: { rootdirectory: ${join(dir, "data")} }, delete: { enabled: true } }`,
        `http: { addr: "127.0.0.1:${port}", tls: { certificate: ${join(dir, "server.crt")}, key: ${join(dir, "server.key")} } }`,
        `auth: { htpasswd: { realm: bom-test, path: ${join(dir, "htpasswd")} } }`,
        "",
      ].join("\n"),
    );
    registry = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
    const base = `https://127.0.0.1:${port}`;
    await waitForRegistry(caPem, base);

    const config = { ...prodCopy(), registryMirror: { host: `127.0.0.1:${port}`, pathPrefix: "platform/mirror", caPem } };
    [bom] = appBillsOfMaterials(buildApp({ environments: [config], outdir: join(dir, "out") }));
    const mirrors = bom.images.map((i) => i.mirror);
    present = mirrors.filter((_, i) => i % 2 === 0);
    absent = mirrors.filter((_, i) => i % 2 === 1);
    for (const ref of present) {
      const path = ref.slice(`127.0.0.1:${port}/`.length);
      const colon = path.lastIndexOf(":");
      await pushImage(caPem, base, path.slice(0, colon), path.slice(colon + 1));
    }
  }, 60_000);

  afterAll(() => {
    registry?.kill();
  });

  it("reports exactly the images the mirror lacks", async () => {
    expect(bom.images.length).toBeGreaterThan(40);
    const missing = await missingImages(bom, { username: USER, password: PASSWORD, caPem });
    expect(missing).toEqual(absent);
    expect(missing).not.toContain(present[0]);
  });

  it("without credentials it says which variables to set", async () => {
    await expect(missingImages(bom, { caPem })).rejects.toThrow(/wants credentials: set BOM_REGISTRY_USERNAME and BOM_REGISTRY_PASSWORD/);
  });

  it("sends the Accept header of index, manifest list and both manifest types", () => {
    expect(MANIFEST_ACCEPT.split(", ")).toEqual(expect.arrayContaining(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]));
  });
});
