import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { CALICO_INSTALLATION_PATH, CALICO_STATUS_PATH } from "../../../lib/platform/pod-network-gate";

/** The Calico release the gate under test waits for (any version string works; this one is the pinned one's shape). */
export const CALICO_VERSION = "v3.32.1";

/** What the stand-in API answers for tigerastatus/calico on one request. */
export type CalicoStatus = "missing" | "progressing" | "available" | "available-pretty";

/** A loopback HTTPS stand-in for the API server that serves only tigerastatus/calico and installation/default and demands a client certificate. */
export interface TigeraStatusServer {
  readonly url: string;
  /** Requests for tigerastatus/calico that passed the TLS handshake (client certificate verified). */
  requests: number;
  /** Requests for installation/default that passed the TLS handshake. */
  installationRequests: number;
  close(): Promise<void>;
}

function condition(type: string, status: string, reason: string, message: string) {
  return { lastTransitionTime: "2026-11-25T10:00:00Z", message, observedGeneration: 2, reason, status, type };
}

/** A TigeraStatus as the tigera-operator writes it (operator.tigera.io/v1). */
function tigeraStatus(available: boolean) {
  return {
    apiVersion: "operator.tigera.io/v1",
    kind: "TigeraStatus",
    metadata: { name: "calico", resourceVersion: "4711", generation: 1 },
    spec: {},
    status: {
      conditions: available
        ? [
            condition("Available", "True", "AllObjectsAvailable", "All Objects Available"),
            condition("Progressing", "False", "AllObjectsAvailable", "All objects available"),
            condition("Degraded", "False", "AllObjectsAvailable", "All objects available"),
          ]
        : [
            // The decoy: "status":"True" on another condition, and a message mentioning Available.
            condition("Progressing", "True", "ResourceNotReady", 'DaemonSet "calico-system/calico-node" is not Available {1 of 3 pods}'),
            condition("Available", "False", "ResourceNotReady", "DaemonSet \"calico-system/calico-node\" is not yet Available"),
            condition("Degraded", "False", "ResourceNotReady", ""),
          ],
    },
  };
}

/**
 * The Installation as the operator keeps it: `status.calicoVersion` only once a reconcile found everything
 * Available (absent on a fresh install until then), `status.computed` a copy of the spec.
 */
function installation(calicoVersion: string | undefined) {
  const spec = { registry: "gitlab.example.internal:5050/mirror/quay.io/", variant: "Calico", calicoNetwork: { bgp: "Enabled" } };
  return {
    apiVersion: "operator.tigera.io/v1",
    kind: "Installation",
    metadata: { name: "default", generation: 3, resourceVersion: "4712" },
    spec,
    status: { variant: "Calico", mtu: 1450, imageSet: "", ...(calicoVersion === undefined ? {} : { calicoVersion }), computed: spec, conditions: [] },
  };
}

/**
 * `status(n)` decides the answer to the n-th request (1-based): 404 (the operator has not created the
 * status yet), a rollout in progress, or Available (compact JSON as the API server writes it, or
 * pretty-printed with other field order to prove the parser does not depend on either).
 */
export async function startTigeraStatusServer(
  tls: { cert: string; key: string; clientCaPem: string },
  status: (n: number) => CalicoStatus,
  /** The Installation's `status.calicoVersion` on the n-th request for it (undefined: not written yet). */
  running: (n: number) => string | undefined = () => CALICO_VERSION,
): Promise<TigeraStatusServer> {
  let server: Server;
  const state = {
    url: "",
    requests: 0,
    installationRequests: 0,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
  server = createServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      if (req.url === CALICO_INSTALLATION_PATH) {
        state.installationRequests += 1;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(installation(running(state.installationRequests)), null, 2));
        return;
      }
      if (req.url !== CALICO_STATUS_PATH) {
        res.writeHead(404).end();
        return;
      }
      state.requests += 1;
      const s = status(state.requests);
      if (s === "missing") {
        res.writeHead(404, { "content-type": "application/json" }).end('{"kind":"Status","apiVersion":"v1","status":"Failure","message":"tigerastatuses.operator.tigera.io \\"calico\\" not found","reason":"NotFound","code":404}');
        return;
      }
      const body = tigeraStatus(s !== "progressing");
      const text = s === "available-pretty"
        ? // status before type, the status block first, indented, and a space before one colon.
          JSON.stringify({
            status: { conditions: body.status.conditions.map((c) => ({ status: c.status, message: c.message, type: c.type })) },
            apiVersion: body.apiVersion, kind: body.kind, metadata: body.metadata,
          }, null, 2).replace('"type": "Available"', '"type" :  "Available"')
        : JSON.stringify(body);
      res.writeHead(200, { "content-type": "application/json" }).end(text);
    },
  );
  server.keepAliveTimeout = 1;
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(0, "127.0.0.1", () => listening());
  });
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
