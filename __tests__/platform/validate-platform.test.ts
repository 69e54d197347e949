import { validatePlatform } from "../../lib/config/platform";
import { Problems } from "../../lib/config/problems";
import { acmeTls, ACME_CA, environment, withLoadBalancer } from "./fixtures";

/** The problems validatePlatform reports for an input (Problems keeps its lines private: read them via the error). */
function problemsOf(input: unknown): string[] {
  const problems = new Problems();
  validatePlatform(input, problems);
  try {
    problems.throwIfAny("x");
    return [];
  } catch (e) {
    return [...(e as { problems: string[] }).problems];
  }
}

const prod = environment("prod");
const sandbox = environment("sandbox");
const withPlatform = (env: any, platform: any) => ({ ...env, platform: { ...env.platform, ...platform } });

describe("validatePlatform", () => {
  it("accepts the fixtures", () => {
    expect(problemsOf(prod)).toEqual([]);
    expect(problemsOf(withPlatform(prod, { ...withLoadBalancer("prod"), ...acmeTls(ACME_CA) }))).toEqual([]);
    expect(problemsOf(sandbox)).toEqual([]);
    expect(problemsOf(environment("dev"))).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ["missing platform", { ...prod, platform: undefined }, ['prod.platform: is required (domain, ingress, gitops, monitoring); see README "Platform"']],
    ["typo", withPlatform(prod, { domian: "x" }), ["prod.platform.domian: unknown field (typo?); known fields here: domain, urlScheme, ingress, tls, gitops, monitoring, storage, argocdHa, protectPodNetwork, protectVolumeSnapshots, adoptExistingNamespaces, overrides"]],
    [
      "prod with 2 data nodes",
      { ...prod, workers: [{ ...prod.workers[0], count: 2, ips: prod.workers[0].ips.slice(0, 2) }, prod.workers[1]] },
      [
        "prod.workers: 2 node(s) with a data disk in a prod environment; prod needs at least 3 (one Ceph replica per host); raise the count of a pool with dataDiskGiB",
        'prod.platform.storage: replication 3 is more than the 2 node(s) with a data disk; with failureDomain "host" Ceph cannot place the copies: lower the replication or add data nodes',
      ],
    ],
    [
      "replication above the data nodes",
      withPlatform(sandbox, { storage: { replication: 2 } }),
      ['sandbox.platform.storage.replication: replication 2 is more than the 1 node(s) with a data disk; with failureDomain "host" Ceph cannot place the copies: lower the replication or add data nodes'],
    ],
    [
      "no data disk at all",
      { ...sandbox, workers: [{ ...sandbox.workers[0], dataDiskGiB: undefined }] },
      ["sandbox.workers: no worker pool has dataDiskGiB; Rook-Ceph (the platform's storage) needs at least one node with a data disk"],
    ],
    ["even mons", withPlatform(prod, { storage: { monCount: 4 } }), ["prod.platform.storage.monCount: 4 is even; Ceph monitors need an odd number for quorum: use 3 or 5"]],
    [
      "node ports",
      withPlatform(prod, { ingress: { public: { httpNodePort: 8080, httpsNodePort: 30443 }, admin: { httpNodePort: 30443, httpsNodePort: 40000 } } }),
      [
        "prod.platform.ingress.public.httpNodePort: 8080 is below the minimum of 30000 (the Kubernetes NodePort range); raise it to at least 30000",
        "prod.platform.ingress.admin.httpNodePort: 30443 is already used by prod.platform.ingress.public.httpsNodePort; every entry point needs its own NodePort",
        "prod.platform.ingress.admin.httpsNodePort: 40000 is above 32767, the end of the Kubernetes NodePort range; pick a port in 30000-32767",
      ],
    ],
    [
      "bad retention, email without smtp, duplicate receiver",
      withPlatform(prod, {
        monitoring: { retention: "15 days", storageGiB: 10, receivers: [{ name: "a", type: "email", to: ["not-an-address"] }, { name: "a", type: "webhook" }] },
      }),
      [
        'prod.platform.monitoring.retention: "15 days" is not a Prometheus duration; use e.g. "15d" or "12h"',
        'prod.platform.monitoring.receivers[0].to[0]: "not-an-address" is not an e-mail address',
        'prod.platform.monitoring.receivers[0].type: "email" needs prod.platform.monitoring.smtp (the mail relay); add it or use another receiver type',
        'prod.platform.monitoring.receivers[1].name: "a" is used by another receiver; names must be unique',
      ],
    ],
    [
      "gitops URL and path",
      withPlatform(prod, { gitops: { repoURL: "http://insecure/x.git", path: "../other" } }),
      [
        'prod.platform.gitops.repoURL: "http://insecure/x.git" must be an https://, ssh:// or git@ Git URL',
        'prod.platform.gitops.path: "../other" must be a path relative to the repository root, without ".."',
      ],
    ],
    ["tls: unknown issuer", withPlatform(prod, { tls: { issuer: "vault" } }), ["prod.platform.tls.issuer: \"vault\" is not one of ca, acme"]],
    ["tls: ca takes no ACME fields", withPlatform(prod, { tls: { issuer: "ca", server: "https://x" } }), ["prod.platform.tls.server: unknown field (typo?); known fields here: issuer"]],
    [
      "tls: acme needs an https server and an e-mail; caPem must be PEM",
      withPlatform(prod, { tls: { issuer: "acme", server: "http://acme.example.internal/directory", caPem: "nope" } }),
      [
        'prod.platform.tls.server: "http://acme.example.internal/directory" must be the https:// URL of the ACME directory, e.g. "https://acme.example.internal/acme/acme/directory"',
        "prod.platform.tls.email: is required (a non-empty string)",
        "prod.platform.tls.caPem: must be a PEM certificate (-----BEGIN CERTIFICATE-----)",
      ],
    ],
    [
      "load balancer: bad address, bad source, PROXY protocol without trusted addresses",
      withPlatform(prod, {
        ingress: {
          public: { ...prod.platform.ingress.public, loadBalancerAddress: "10.20.40.300", loadBalancerSourceIps: ["10.20.40.1/24", "lb"] },
          admin: { ...prod.platform.ingress.admin, loadBalancerAddress: "admin-lb.example.internal", proxyProtocol: true },
        },
      }),
      [
        'prod.platform.ingress.public.loadBalancerAddress: "10.20.40.300" is neither an IPv4 address nor a lower-case DNS name; use the load balancer\'s VIP (e.g. "10.20.40.10") or its DNS name',
        'prod.platform.ingress.public.loadBalancerSourceIps[0]: "10.20.40.1/24" is not an IPv4 address or CIDR (without host bits), e.g. "10.20.40.2" or "10.20.40.0/28"',
        'prod.platform.ingress.public.loadBalancerSourceIps[1]: "lb" is not an IPv4 address or CIDR (without host bits), e.g. "10.20.40.2" or "10.20.40.0/28"',
        "prod.platform.ingress.admin.proxyProtocol: true needs the load balancer's source addresses: set loadBalancerSourceIps (Traefik only reads PROXY headers from trusted addresses)",
      ],
    ],
    [
      "HTTP redirect: not a boolean, or forced on the UIs' class when they are reached over http://",
      withPlatform(prod, {
        urlScheme: "http",
        ingress: {
          public: { ...prod.platform.ingress.public, redirectToHttps: "yes" as unknown as boolean },
          admin: { ...prod.platform.ingress.admin, redirectToHttps: true },
        },
      }),
      [
        'prod.platform.ingress.public.redirectToHttps: "yes" must be true (the default: HTTP redirected to HTTPS) or false (HTTP served as is)',
        'prod.platform.ingress.admin.redirectToHttps: true redirects the UIs\' http:// URLs (urlScheme "http") to https://; drop it, or set urlScheme "https"',
      ],
    ],
    [
      "alert routing: a receiver nothing routes to, a malformed matcher, an unknown default receiver",
      withPlatform(prod, {
        monitoring: {
          ...prod.platform.monitoring,
          defaultReceiver: "pager",
          receivers: [{ name: "mail", type: "webhook" }, { name: "chat", type: "webhook", matchers: ["severity critical"] }],
        },
      }),
      [
        `prod.platform.monitoring.receivers[1].matchers[0]: "severity critical" is not an Alertmanager matcher; write label, operator (=, !=, =~, !~) and a quoted value, e.g. 'severity="critical"'`,
        'prod.platform.monitoring.defaultReceiver: "pager" is not a receiver; name one of mail, chat',
        `prod.platform.monitoring.receivers[0]: "mail" would never get an alert: give it matchers (e.g. ['severity="critical"']) or make it the defaultReceiver`,
      ],
    ],
    ["pod network protection not a boolean", withPlatform(prod, { protectPodNetwork: "no" as unknown as boolean }), ['prod.platform.protectPodNetwork: "no" must be true or false']],
    ["snapshot CRD protection not a boolean", withPlatform(prod, { protectVolumeSnapshots: "no" as unknown as boolean }), ['prod.platform.protectVolumeSnapshots: "no" must be true or false']],
    [
      "namespace adoption not a boolean",
      withPlatform(prod, { adoptExistingNamespaces: "yes" as unknown as boolean }),
      ['prod.platform.adoptExistingNamespaces: "yes" must be true or false'],
    ],
    ["unknown override", withPlatform(prod, { overrides: { "ingress-nginx": {} } }), [expect.stringMatching(/^prod\.platform\.overrides\.ingress-nginx: unknown field/) as unknown as string]],
  ])("%s", (_name, input, expected) => {
    expect(problemsOf(input)).toEqual(expected);
  });
});
