/**
 * A stubbed Kubernetes API server on loopback, over HTTPS with client-certificate authentication
 * (certificates made by openssl), playing the few endpoints a roll uses: Nodes (get, list, merge
 * patch), Pods by node, the Eviction subresource (a PodDisruptionBudget answers 429) and Rook's
 * CephCluster status. It keeps a log of every eviction and request.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export interface FakePod {
  metadata: { name: string; namespace: string; uid: string; ownerReferences?: any[]; annotations?: Record<string, string> };
  spec: { nodeName: string; volumes?: any[] };
}

export class FakeCluster {
  readonly nodes = new Map<string, any>();
  pods: FakePod[] = [];
  /** Pod "ns/name" -> how many more evictions a PodDisruptionBudget refuses (Infinity: never allows). */
  readonly pdbRefusals = new Map<string, number>();
  cephHealth = "HEALTH_OK";
  readonly evictions: Array<{ pod: string; status: number }> = [];
  readonly requests: string[] = [];
  /** Nodes whose new machine reports Ready only after this many more GETs. */
  readonly bootDelay = new Map<string, number>();

  addNode(name: string): void {
    this.nodes.set(name, {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, uid: randomUUID(), creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: {},
      status: { conditions: [{ type: "Ready", status: "True" }], nodeInfo: { bootID: randomUUID() } },
    });
  }

  addPod(node: string, namespace: string, name: string, owner?: { kind: string }, extra: Partial<FakePod["metadata"]> = {}, volumes?: any[]): void {
    const ownerReferences = owner ? [{ apiVersion: "apps/v1", kind: owner.kind, name: `${name}-owner`, uid: randomUUID(), controller: true }] : undefined;
    this.pods.push({ metadata: { name, namespace, uid: randomUUID(), ownerReferences, ...extra }, spec: { nodeName: node, volumes } });
  }

  /** What a VM replacement does to the cluster: the same Node name boots again as a new machine (not Ready at first). */
  rebuilt(name: string, readyAfterPolls = 2): void {
    const node = this.nodes.get(name);
    node.status = { conditions: [{ type: "Ready", status: "False" }], nodeInfo: { bootID: randomUUID() } };
    this.bootDelay.set(name, readyAfterPolls);
    this.pods = this.pods.filter((p) => p.spec.nodeName !== name);
  }

  podsOn(node: string): string[] {
    return this.pods.filter((p) => p.spec.nodeName === node).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  }

  handle(method: string, url: URL, body: any): [number, unknown] {
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    const status = (code: number, message: string) => [code, { kind: "Status", apiVersion: "v1", status: "Failure", message, code }] as [number, unknown];
    let m: RegExpExecArray | null;
    if (method === "GET" && url.pathname === "/api/v1/nodes") return [200, { kind: "NodeList", items: [...this.nodes.values()] }];
    if ((m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(url.pathname))) {
      const node = this.nodes.get(decodeURIComponent(m[1]));
      if (!node) return status(404, `nodes "${m[1]}" not found`);
      if (method === "GET") {
        // The new machine's kubelet reports Ready after a few looks, as a booting node does.
        const wait = this.bootDelay.get(node.metadata.name);
        if (wait !== undefined && wait <= 0) {
          node.status.conditions = [{ type: "Ready", status: "True" }];
          this.bootDelay.delete(node.metadata.name);
        } else if (wait !== undefined) this.bootDelay.set(node.metadata.name, wait - 1);
        return [200, node];
      }
      if (method === "PATCH") {
        if (body?.spec && "unschedulable" in body.spec) {
          if (body.spec.unschedulable === null) delete node.spec.unschedulable;
          else node.spec.unschedulable = body.spec.unschedulable;
        }
        return [200, node];
      }
    }
    if (method === "GET" && url.pathname === "/api/v1/pods") {
      const selector = url.searchParams.get("fieldSelector") ?? "";
      const node = /^spec\.nodeName=(.+)$/.exec(selector)?.[1];
      return [200, { kind: "PodList", items: this.pods.filter((p) => node === undefined || p.spec.nodeName === node) }];
    }
    if (method === "POST" && (m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/.exec(url.pathname))) {
      const key = `${m[1]}/${m[2]}`;
      if (body?.kind !== "Eviction" || body?.apiVersion !== "policy/v1" || body?.metadata?.name !== m[2]) return status(400, "not an Eviction");
      const pod = this.pods.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === key);
      if (!pod) return this.evictions.push({ pod: key, status: 404 }), status(404, `pods "${m[2]}" not found`);
      const refusals = this.pdbRefusals.get(key) ?? 0;
      if (refusals > 0) {
        this.pdbRefusals.set(key, refusals - 1);
        this.evictions.push({ pod: key, status: 429 });
        return status(429, "Cannot evict pod as it would violate the pod's disruption budget.");
      }
      this.pods = this.pods.filter((p) => p !== pod);
      this.evictions.push({ pod: key, status: 201 });
      return [201, { kind: "Status", apiVersion: "v1", status: "Success" }];
    }
    if (method === "GET" && url.pathname === "/apis/ceph.rook.io/v1/namespaces/rook-ceph/cephclusters") {
      return [200, { kind: "CephClusterList", items: [{ metadata: { name: "rook-ceph", namespace: "rook-ceph" }, status: { ceph: { health: this.cephHealth } } }] }];
    }
    return status(404, `the stub has no ${method} ${url.pathname}`);
  }
}

export interface RunningFakeCluster {
  readonly cluster: FakeCluster;
  /** An admin-style kubeconfig (client certificate data) for the stub. */
  readonly kubeconfig: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Certificates made once per test file: a CA, the server's (IP SAN 127.0.0.1) and a client's. */
function makeCertificates(): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "fake-cluster-pki-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...key, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=fake-cluster-ca", "-days", "1");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
  for (const [who, subject] of [["server", "/CN=127.0.0.1"], ["client", "/O=system:masters/CN=terraform-admin"]]) {
    ssl("req", ...key, "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", subject);
    ssl("x509", "-req", "-in", `${who}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${who}.crt`, "-days", "1",
      ...(who === "server" ? ["-extfile", "server.ext"] : []));
  }
  const read = (f: string) => readFileSync(join(dir, f));
  return { ca: read("ca.crt"), serverCert: read("server.crt"), serverKey: read("server.key"), clientCert: read("client.crt"), clientKey: read("client.key") };
}

let certificates: ReturnType<typeof makeCertificates> | undefined;

export async function startFakeCluster(cluster = new FakeCluster()): Promise<RunningFakeCluster> {
  const pki = (certificates ??= makeCertificates());
  // requestCert + rejectUnauthorized: a client without the CA-signed certificate is refused, as kube-apiserver does.
  const server = createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [code, body] = cluster.handle(req.method ?? "GET", new URL(req.url ?? "/", "https://127.0.0.1"), text ? JSON.parse(text) : undefined);
      res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const b64 = (b: Buffer) => b.toString("base64");
  const kubeconfig = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "prod", cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority-data": b64(pki.ca) } }],
    users: [{ name: "prod", user: { "client-certificate-data": b64(pki.clientCert), "client-key-data": b64(pki.clientKey) } }],
    contexts: [{ name: "prod", context: { cluster: "prod", user: "prod" } }],
    "current-context": "prod",
  });
  return { cluster, kubeconfig, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
