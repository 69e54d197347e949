import { request } from "node:https";
import { splitImage } from "./image-ref";
import type { BillOfMaterials } from "./types";

/** Every manifest type a mirrored image may be stored as (skopeo copy --all keeps OCI indexes and manifest lists). */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Environment variables with the mirror's credentials (e.g. a GitLab deploy token with read_registry). */
export const VERIFY_CREDENTIAL_VARIABLES = { username: "BOM_REGISTRY_USERNAME", password: "BOM_REGISTRY_PASSWORD" } as const;

export interface VerifyOptions {
  readonly username?: string;
  readonly password?: string;
  /** PEM CA bundle the mirror's certificate chains to (the environment's registryMirror.caPem). */
  readonly caPem?: string;
}

interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(method: "HEAD" | "GET", url: string, headers: Record<string, string>, ca?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** `Bearer realm="https://gitlab/jwt/auth",service="container_registry",scope="..."` -> its parameters. */
export function challengeParameters(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of header.replace(/^\s*\w+\s+/, "").matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  return params;
}

/**
 * HEADs one manifest on the mirror; on 401 follows the challenge: Basic with the credentials, or the Bearer
 * token flow (GitLab, Harbor, distribution with token auth) with the credentials sent to the realm.
 */
async function manifestExists(host: string, name: string, tag: string, options: VerifyOptions, tokens: Map<string, string>): Promise<boolean> {
  const url = `https://${host}/v2/${name}/manifests/${tag}`;
  const basic = options.username !== undefined ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ""}`).toString("base64")}` : undefined;
  const head = (authorization?: string) => send("HEAD", url, { Accept: MANIFEST_ACCEPT, ...(authorization ? { Authorization: authorization } : {}) }, options.caPem);
  const scope = `repository:${name}:pull`;
  let res = await head(tokens.has(scope) ? `Bearer ${tokens.get(scope)}` : undefined);
  if (res.status === 401) {
    const challenge = String(res.headers["www-authenticate"] ?? "");
    if (/^\s*bearer/i.test(challenge)) {
      const p = challengeParameters(challenge);
      const tokenUrl = new URL(p.realm);
      if (p.service) tokenUrl.searchParams.set("service", p.service);
      tokenUrl.searchParams.set("scope", p.scope ?? scope);
      const answer = await send("GET", tokenUrl.toString(), basic ? { Authorization: basic } : {}, options.caPem);
      if (answer.status !== 200) throw new Error(`token endpoint ${tokenUrl.origin}${tokenUrl.pathname} answered ${answer.status}: check ${VERIFY_CREDENTIAL_VARIABLES.username}/${VERIFY_CREDENTIAL_VARIABLES.password}`);
      const body = JSON.parse(answer.body) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token ?? "";
      tokens.set(scope, token);
      res = await head(`Bearer ${token}`);
    } else if (basic) {
      res = await head(basic);
    }
  }
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  if (res.status === 401 || res.status === 403) {
    // GitLab answers 403/401 for a repository the token may not read as well as for one that does not exist.
    if (options.username === undefined) throw new Error(`${host} wants credentials: set ${VERIFY_CREDENTIAL_VARIABLES.username} and ${VERIFY_CREDENTIAL_VARIABLES.password}`);
    return false;
  }
  throw new Error(`HEAD ${url} answered ${res.status}`);
}

/** The mirror paths of the bill of materials that the mirror does not serve (empty: everything is there). */
export async function missingImages(bom: BillOfMaterials, options: VerifyOptions = {}): Promise<string[]> {
  if (!bom.registryHost || !bom.mirrorBase) throw new Error(`${bom.environment} has no registryMirror: there is no mirror to verify`);
  const tokens = new Map<string, string>();
  const missing: string[] = [];
  for (const image of bom.images) {
    const { name, tag } = splitImage(image.mirror);
    const repository = name.slice(bom.registryHost.length + 1);
    if (!(await manifestExists(bom.registryHost, repository, tag ?? "latest", options, tokens))) missing.push(image.mirror);
  }
  return missing;
}
