import type { PlatformConfig } from "../../lib/config/platform";
import type { OidcConfig } from "../../lib/config/security";
import type { EnvironmentConfig, NodePoolConfig, RegistryMirrorConfig, Tier } from "../../lib/config/types";

/** Test environments (independent of stacks/ so platform tests do not follow stack data edits). */
export const MIRROR: RegistryMirrorConfig = {
  host: "gitlab.example.internal:5050",
  pathPrefix: "platform/mirror",
  chartRepository: "oci://gitlab.example.internal:5050/platform/charts",
};

const pool = (name: string, count: number, firstIp: number, dataDiskGiB?: number): NodePoolConfig => ({
  name,
  count,
  cpus: 4,
  memoryMiB: 16384,
  osDiskGiB: 80,
  ...(dataDiskGiB !== undefined ? { dataDiskGiB } : {}),
  ips: Array.from({ length: count }, (_, i) => `10.20.30.${firstIp + i}`),
});

export function platformConfig(name: string): PlatformConfig {
  return {
    domain: `${name}.k8s.example.internal`,
    ingress: { public: { httpNodePort: 30080, httpsNodePort: 30443 }, admin: { httpNodePort: 31080, httpsNodePort: 31443 } },
    gitops: { repoURL: `https://gitlab.example.internal/platform/gitops-${name}.git`, path: `envs/${name}`, username: "argocd-deploy-token" },
    monitoring: {
      retention: "15d",
      storageGiB: 100,
      smtp: { smarthost: "smtp.example.internal:587", from: "alertmanager@example.internal", username: "alertmanager" },
      receivers: [
        { name: "ops-mail", type: "email", to: ["ops@example.internal"] },
        { name: "ops-teams", type: "teams", matchers: ['severity="critical"'] },
        { name: "oncall-webhook", type: "webhook", matchers: ['severity="critical"', 'namespace=~"shop-.*"'] },
        { name: "ops-slack", type: "slack", channel: "#alerts", matchers: ["severity!=info"] },
      ],
      extraProbeUrls: ["https://shop.example.internal/healthz"],
    },
  };
}

/** Prod requires an external object store (backups must survive the cluster). */
export const OBJECT_STORE = { endpoint: "https://s3.example.internal:9000" } as const;

export const OIDC_CA = "-----BEGIN CERTIFICATE-----\nMIIBoidcTestCa\n-----END CERTIFICATE-----\n";

/** The directory's issuer with single sign-on for the UIs, two admin groups, one viewer group and the issuer's CA. */
export const OIDC: OidcConfig = {
  issuerUrl: "https://sso.example.internal/realms/corp",
  clientId: "kubernetes",
  webClientId: "platform-uis",
  caPem: OIDC_CA,
  adminGroups: ["platform-admins", "sre"],
  viewerGroups: ["developers"],
};

export function environment(tier: Tier, opts: { mirror?: boolean; platform?: Partial<PlatformConfig>; oidc?: OidcConfig } = {}): EnvironmentConfig {
  const name = tier;
  const prodLike = tier !== "sandbox";
  return {
    name,
    tier,
    vsphere: { datacenter: "dc1", computeCluster: "c1", datastore: "ds1", network: "k8s", folder: `k8s/${name}` },
    network: { cidr: "10.20.30.0/24", gateway: "10.20.30.1", dnsServers: ["10.0.0.53"], ntpServers: ["10.0.0.123"] },
    template: { name: "rocky9-k8s-1.33.4", os: "rocky-9", diskGiB: 40, kubernetesVersion: "1.33.4" },
    controlPlane: pool("control-plane", prodLike ? 3 : 1, 11),
    workers: prodLike
      ? [pool("storage", 3, 31, 500), pool("general", 2, 41)]
      : [pool("worker", 1, 31, 100)],
    kubernetes: { version: "1.33.4", apiVip: "10.20.30.10", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/16" },
    ...(opts.mirror ? { registryMirror: MIRROR } : {}),
    ...(opts.oidc ? { security: { oidc: opts.oidc } } : {}),
    ...(tier === "prod" ? { backups: { objectStore: OBJECT_STORE } } : {}),
    platform: { ...platformConfig(name), ...opts.platform },
  };
}

/** A site load balancer in front of each class: VIP + source addresses + PROXY protocol, and a DNS name. */
export function withLoadBalancer(name: string): Partial<PlatformConfig> {
  const base = platformConfig(name).ingress;
  return {
    ingress: {
      public: { ...base.public, loadBalancerAddress: "10.20.40.10", loadBalancerSourceIps: ["10.20.40.2", "10.20.40.3"], proxyProtocol: true },
      admin: { ...base.admin, loadBalancerAddress: "admin-lb.example.internal" },
    },
  };
}

export const ACME_CA = "-----BEGIN CERTIFICATE-----\nMIIBacmeTestCa\n-----END CERTIFICATE-----\n";

/** Certificates from an internal ACME server instead of the site CA. */
export function acmeTls(caPem?: string): Partial<PlatformConfig> {
  return { tls: { issuer: "acme", server: "https://acme.example.internal/acme/acme/directory", email: "pki@example.internal", ...(caPem ? { caPem } : {}) } };
}
