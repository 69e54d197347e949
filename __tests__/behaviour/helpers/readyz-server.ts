import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

/** A loopback HTTPS server standing in for the API server behind the VIP: only /readyz matters. */
export interface ReadyzServer {
  readonly url: string;
  /** /readyz requests received. */
  requests: number;
  close(): Promise<void>;
}

/**
 * `ready(n)` decides the answer to the n-th /readyz request (1-based): true -> 200 "ok",
 * false -> 503, like an API server that is up but not ready.
 */
export async function startReadyzServer(cert: { cert: string; key: string }, host: string, port: number, ready: (n: number) => boolean): Promise<ReadyzServer> {
  let server: Server;
  const state = {
    url: "",
    requests: 0,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
  server = createServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (req, res) => {
    if (req.url !== "/readyz") {
      res.writeHead(404).end();
      return;
    }
    state.requests += 1;
    if (ready(state.requests)) res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    else res.writeHead(503, { "content-type": "text/plain" }).end("[-]etcd failed: reason withheld\nreadyz check failed");
  });
  // Keep-alive sockets would hold close() open after the test.
  server.keepAliveTimeout = 1;
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(port, host, () => listening());
  });
  state.url = `https://${host}:${(server.address() as AddressInfo).port}`;
  return state;
}
