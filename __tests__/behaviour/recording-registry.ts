import { createHash } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

/**
 * A tiny OCI registry on loopback (HTTPS) that answers every repository with the same minimal image
 * (one empty layer) and records every request path. Enough for containerd to resolve, fetch and
 * unpack a pull, so a pull that reaches the right path succeeds and one that does not fails.
 */
export interface RecordingRegistry {
  readonly port: number;
  /** `METHOD url` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const sha256 = (data: Buffer): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** A tar archive with no entries (two zero blocks), gzipped: the one layer of the test image. */
const emptyTar = Buffer.alloc(1024);
const layer = gzipSync(emptyTar);
const config = Buffer.from(
  JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [sha256(emptyTar)] } }),
);
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(layer), size: layer.length }],
  }),
);
const blobs = new Map([[sha256(config), config], [sha256(layer), layer]]);

export async function startRecordingRegistry(tls: { cert: string; key: string }): Promise<RecordingRegistry> {
  const requests: string[] = [];
  const server = createServer(tls, (req, res) => {
    // containerd adds `?ns=<upstream registry>` for mirrors; the path is what routes the request.
    const path = (req.url ?? "").split("?")[0];
    requests.push(`${req.method} ${req.url}`);
    const send = (status: number, body: Buffer, type: string, digest?: string): void => {
      res.writeHead(status, { "Content-Type": type, "Content-Length": body.length, ...(digest ? { "Docker-Content-Digest": digest } : {}) });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (/^\/v2\/.+\/manifests\/[^/]+$/.test(path)) return send(200, manifest, "application/vnd.oci.image.manifest.v1+json", sha256(manifest));
    const blob = /^\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (blob && blobs.has(blob[1])) return send(200, blobs.get(blob[1])!, "application/octet-stream", blob[1]);
    send(404, Buffer.from('{"errors":[{"code":"NAME_UNKNOWN"}]}'), "application/json");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => closeServer(server),
  };
}

/**
 * A refusing HTTP proxy on loopback that records what went through it. Given to containerd as
 * HTTPS_PROXY/HTTP_PROXY, it catches every request that would have left the machine: containerd
 * falls back to the upstream `server` of a hosts.toml when the mirror fails, and that fallback must
 * neither reach the internet nor go unnoticed. (Go never proxies loopback, so the mirror is direct.)
 */
export interface EscapeTrap {
  readonly url: string;
  /** `host:port` (CONNECT) or URL of every request that tried to leave. */
  readonly escapes: string[];
  close(): Promise<void>;
}

export async function startEscapeTrap(): Promise<EscapeTrap> {
  const escapes: string[] = [];
  const server = createHttpServer((req, res) => {
    escapes.push(req.url ?? "");
    res.writeHead(403).end();
  });
  server.on("connect", (req, socket) => {
    escapes.push(req.url ?? "");
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, escapes, close: () => closeServer(server) };
}

function closeServer(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
