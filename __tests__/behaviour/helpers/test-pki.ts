import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A certificate authority made with the real openssl, in `dir` (ca.crt, ca.key). */
export interface TestCa {
  readonly dir: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

export function makeCa(dir: string, commonName: string): TestCa {
  mkdirSync(dir, { recursive: true });
  openssl(["req", "-x509", ...EC, "-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt"), "-days", "2", "-subj", `/CN=${commonName}`]);
  return { dir, certPem: readFileSync(join(dir, "ca.crt"), "utf8"), keyPem: readFileSync(join(dir, "ca.key"), "utf8") };
}

/** `<dir>/<name>.crt` and `.key` signed by `ca`, for server and client use, with the given IP SANs. */
export function issue(ca: TestCa, dir: string, name: string, ips: readonly string[]): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, name);
  const ext = [`extendedKeyUsage=serverAuth,clientAuth`, ...(ips.length ? [`subjectAltName=${ips.map((ip) => `IP:${ip}`).join(",")}`] : [])];
  writeFileSync(`${base}.ext`, `${ext.join("\n")}\n`);
  openssl(["req", ...EC, "-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${name}`]);
  openssl(["x509", "-req", "-in", `${base}.csr`, "-CA", join(ca.dir, "ca.crt"), "-CAkey", join(ca.dir, "ca.key"), "-set_serial", String(Date.now()), "-days", "2", "-extfile", `${base}.ext`, "-out", `${base}.crt`]);
  return { cert: `${base}.crt`, key: `${base}.key` };
}
