import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { parse } from "yaml";
import { UserError } from "../review/user-error";

/** Where the API is and how to authenticate: the admin kubeconfig's client certificate. */
export interface KubeEndpoint {
  readonly server: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: any;
}

/**
 * The few Kubernetes REST calls a roll needs, over node's https with the kubeconfig's client
 * certificate: no kubectl (air-gapped jump hosts may not have it) and no client library.
 */
export class KubeApi {
  constructor(private readonly endpoint: KubeEndpoint) {}

  async request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
    const url = new URL(path, this.endpoint.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { ca, cert, key } = this.endpoint;
    const transport = url.protocol === "http:" ? http : https;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        { method, ca, cert, key, headers: { accept: "application/json", ...(payload ? { "content-type": contentType } : {}) }, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (a proxy's error page): keep the text for the message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** GET that must succeed (404 gives undefined). */
  async get(path: string): Promise<any> {
    const res = await this.request("GET", path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw apiError("GET", path, res);
    return res.body;
  }

  async getNode(name: string): Promise<any> {
    return this.get(`/api/v1/nodes/${encodeURIComponent(name)}`);
  }

  /** Cordon (true) or uncordon (false), as `kubectl cordon` does: a merge patch of spec.unschedulable. */
  async setUnschedulable(name: string, unschedulable: boolean): Promise<void> {
    const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
    const res = await this.request("PATCH", path, { spec: { unschedulable: unschedulable || null } }, "application/merge-patch+json");
    if (res.status !== 200) throw apiError("PATCH", path, res);
  }

  async podsOnNode(node: string): Promise<any[]> {
    const list = await this.get(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`);
    return list?.items ?? [];
  }

  /** POST an Eviction: 201/200 evicted, 429 a PodDisruptionBudget says not now, 404 already gone. */
  async evict(namespace: string, name: string): Promise<KubeResponse> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/eviction`;
    return this.request("POST", path, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } });
  }
}

export function apiError(method: string, path: string, res: KubeResponse): Error {
  const detail = typeof res.body === "object" && res.body?.message ? res.body.message : String(res.body ?? "").slice(0, 200);
  return new Error(`Kubernetes API ${method} ${path}: HTTP ${res.status}${detail ? `: ${detail}` : ""}`);
}

/** The current context's server and client certificate from a kubeconfig (data or file fields). */
export function endpointFromKubeconfig(text: string, source: string): KubeEndpoint {
  let config: any;
  try {
    config = parse(text);
  } catch (e) {
    throw new UserError(`${source} is not a kubeconfig: ${(e as Error).message}`);
  }
  const contextName = config?.["current-context"];
  const context = config?.contexts?.find((c: any) => c.name === contextName)?.context;
  const cluster = config?.clusters?.find((c: any) => c.name === context?.cluster)?.cluster;
  const user = config?.users?.find((u: any) => u.name === context?.user)?.user ?? {};
  if (!cluster?.server) throw new UserError(`${source}: no cluster server for the current context "${contextName}"; give the environment's admin kubeconfig (terraform output -raw kubeconfig)`);
  const pem = (data: unknown, file: unknown) =>
    typeof data === "string" ? Buffer.from(data, "base64") : typeof file === "string" ? readFileSync(file) : undefined;
  return {
    server: cluster.server,
    ca: pem(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    cert: pem(user["client-certificate-data"], user["client-certificate"]),
    key: pem(user["client-key-data"], user["client-key"]),
  };
}
