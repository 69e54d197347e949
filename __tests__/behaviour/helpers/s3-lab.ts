import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// s3rver ships no types; the two members used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void>; getMiddleware(): (req: IncomingMessage, res: unknown) => void };

/** s3rver's one key pair (it refuses any other access key id). */
export const S3RVER_KEYS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface S3Request {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Why the signature was refused, or undefined when it verified. */
  readonly refused?: string;
}

/**
 * A real S3-compatible server (npm s3rver, files under a temporary directory) behind HTTPS on loopback.
 * s3rver accepts any SigV4 signature from a known key id (it does not compute V4 signatures), so every
 * request is verified here first: AWS Signature Version 4 recomputed from the request and the secret key,
 * refused with 403 SignatureDoesNotMatch like S3 when it differs. Requests are recorded.
 */
export class S3Lab {
  readonly requests: S3Request[] = [];
  private constructor(private readonly server: Server, private readonly s3: { close(): Promise<void> }, readonly dir: string, readonly endpoint: string) {}

  static async start(options: { readonly ip: string; readonly cert: string; readonly key: string; readonly buckets: readonly string[] }): Promise<S3Lab> {
    const dir = mkdtempSync(join(tmpdir(), "s3-lab-"));
    const s3 = new S3rver({ silent: true, directory: dir, address: "127.0.0.1", port: 0, configureBuckets: options.buckets.map((name) => ({ name })) });
    await s3.run();
    const handler = s3.getMiddleware();
    let lab: S3Lab | undefined;
    const server = createServer({ cert: readFileSync(options.cert), key: readFileSync(options.key) }, (req, res) => {
      const refused = verifySigV4(req, S3RVER_KEYS.secretAccessKey);
      res.on("finish", () => lab?.requests.push({ method: req.method ?? "", url: req.url ?? "", status: res.statusCode, refused }));
      if (refused) {
        res.statusCode = 403;
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>${refused}</Message></Error>`);
        return;
      }
      handler(req, res);
    });
    await new Promise<void>((done) => server.listen(0, options.ip, done));
    const { port } = server.address() as AddressInfo;
    lab = new S3Lab(server, s3, dir, `https://${options.ip}:${port}`);
    return lab;
  }

  /** Stops accepting connections (the store is "down"); `resume` listens again on the same port. */
  async pause(): Promise<void> {
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  async resume(): Promise<void> {
    const url = new URL(this.endpoint);
    await new Promise<void>((done) => this.server.listen(Number(url.port), url.hostname, done));
  }

  async stop(): Promise<void> {
    if (this.server.listening) await this.pause();
    await this.s3.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding, as SigV4 canonicalizes query names and values. */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The refusal reason, or undefined when the request's AWS4-HMAC-SHA256 Authorization header verifies. */
export function verifySigV4(req: IncomingMessage, secretAccessKey: string): string | undefined {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? "");
  if (!auth) return `no AWS4-HMAC-SHA256 Authorization header for service s3: ${req.headers.authorization ?? "(none)"}`;
  const [, , date, region, signedHeaders, signature] = auth;
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const payload = String(req.headers["x-amz-content-sha256"] ?? "");
  if (!amzDate.startsWith(date)) return "x-amz-date missing or not the credential's date";
  if (!payload) return "x-amz-content-sha256 missing";
  const signed = signedHeaders.split(";");
  for (const h of ["host", "x-amz-date", "x-amz-content-sha256"]) if (!signed.includes(h)) return `${h} is not signed`;
  const [path, query = ""] = (req.url ?? "/").split("?");
  const canonicalQuery = query
    .split("&")
    .filter(Boolean)
    .map((p) => p.split("=").map((s) => uriEncode(decodeURIComponent(s))))
    .map(([k, v = ""]) => `${k}=${v}`)
    .sort()
    .join("&");
  const canonicalHeaders = signed.map((h) => `${h}:${String(req.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const canonical = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payload].join("\n");
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = ["s3", "aws4_request"].reduce((k, part) => hmac(k, part), hmac(hmac(`AWS4${secretAccessKey}`, date), region));
  const expected = createHmac("sha256", key).update(toSign).digest("hex");
  return expected === signature ? undefined : `signature mismatch (canonical request:\n${canonical})`;
}
