import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throw-away CA and a server certificate for 127.0.0.1 signed by it (openssl), in a temp dir. */
export interface TestCa {
  readonly caFile: string;
  readonly cert: string;
  readonly key: string;
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "test-ca-"));
  const at = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync("openssl", args, { stdio: "pipe" });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", at("ca.key"), "-out", at("ca.crt"), "-days", "1", "-subj", "/CN=behaviour-test-ca");
  openssl("req", ...ec, "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(at("server.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  openssl("x509", "-req", "-in", at("server.csr"), "-CA", at("ca.crt"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", at("server.ext"), "-out", at("server.crt"));
  return { caFile: at("ca.crt"), cert: readFileSync(at("server.crt"), "utf8"), key: readFileSync(at("server.key"), "utf8") };
}
