import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { challengeParameters, missingImages } from "../../../lib/bom/verify";
import type { BillOfMaterials } from "../../../lib/bom/types";
import { makeTestCa } from "../../behaviour/test-ca";
import { describeWithTool } from "../../tools";

// GitLab's container registry answers 401 with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`; the
// client fetches a token from the realm with its credentials, then retries with it. A stand-in that speaks
// exactly that (and records what it was asked) checks the flow; the real registry is in __tests__/behaviour.

describeWithTool("openssl", ["version"])("--verify: the Bearer token flow (GitLab)", () => {
  let server: Server;
  let caPem: string;
  let host: string;
  const seen: string[] = [];

  beforeAll(async () => {
    const tls = makeTestCa();
    caPem = readFileSync(tls.caFile, "utf8");
    server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const url = new URL(req.url!, "https://x");
      seen.push(`${req.method} ${url.pathname}${url.search} ${req.headers.authorization ?? "-"}`);
      if (url.pathname === "/jwt/auth") {
        const ok = req.headers.authorization === `Basic ${Buffer.from("deploy:tok").toString("base64")}`;
        res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" }).end(ok ? JSON.stringify({ token: `T-${url.searchParams.get("scope")}` }) : "");
        return;
      }
      const name = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname)?.[1];
      if (req.headers.authorization !== `Bearer T-repository:${name}:pull`) {
        res.writeHead(401, { "WWW-Authenticate": `Bearer realm="https://${host}/jwt/auth",service="container_registry",scope="repository:${name}:pull"` }).end();
        return;
      }
      res.writeHead(name === "platform/mirror/quay.io/ceph/ceph" ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => server.close());

  function bom(): BillOfMaterials {
    const image = (ref: string) => ({ image: ref, mirror: `${host}/platform/mirror/${ref}`, sources: ["test"] });
    return { environment: "prod", kubernetesVersion: "1.35.9", mirrorBase: `${host}/platform/mirror`, registryHost: host, images: [image("quay.io/ceph/ceph:v20.2.4"), image("ghcr.io/kube-vip/kube-vip:v1.0.4")], charts: [], providers: [], nodeImage: [] };
  }

  it("fetches a pull token per repository from the realm with the credentials, and HEADs with it", async () => {
    expect(await missingImages(bom(), { username: "deploy", password: "tok", caPem })).toEqual([`${host}/platform/mirror/ghcr.io/kube-vip/kube-vip:v1.0.4`]);
    expect(seen).toContain(`GET /jwt/auth?service=container_registry&scope=repository%3Aplatform%2Fmirror%2Fquay.io%2Fceph%2Fceph%3Apull Basic ${Buffer.from("deploy:tok").toString("base64")}`);
    expect(seen).toContain("HEAD /v2/platform/mirror/quay.io/ceph/ceph/manifests/v20.2.4 Bearer T-repository:platform/mirror/quay.io/ceph/ceph:pull");
  });

  it("wrong credentials: the token endpoint's refusal names the variables", async () => {
    await expect(missingImages(bom(), { username: "deploy", password: "wrong", caPem })).rejects.toThrow(/token endpoint .* answered 401: check BOM_REGISTRY_USERNAME\/BOM_REGISTRY_PASSWORD/);
  });

  it("parses the challenge parameters", () => {
    expect(challengeParameters(`Bearer realm="https://g/jwt/auth",service="container_registry",scope="repository:a/b:pull"`)).toEqual({ realm: "https://g/jwt/auth", service: "container_registry", scope: "repository:a/b:pull" });
  });
});
