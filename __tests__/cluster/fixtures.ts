import type { EnvironmentConfig } from "../../lib/config/types";
import type { PlatformConfig } from "../../lib/config/platform";

const platform: PlatformConfig = {
  domain: "k8s.example.internal",
  ingress: { public: { httpNodePort: 30080, httpsNodePort: 30443 }, admin: { httpNodePort: 31080, httpsNodePort: 31443 } },
  gitops: { repoURL: "https://gitlab.example.internal/platform/gitops.git", path: "envs/test" },
  monitoring: { retention: "15d", storageGiB: 50 },
};

const site = {
  vsphere: { datacenter: "dc1", computeCluster: "cluster1", datastore: "vsan", network: "k8s-nodes", folder: "kubernetes/test" },
  template: { name: "rocky9-k8s-1.33.4", os: "rocky-9", diskGiB: 40, kubernetesVersion: "1.33.4" },
} as const;

/** Prod-like: 3 control-plane nodes, two worker pools (one tainted, one with a data disk), air-gap mirror. */
export const prodLike = {
  name: "prod",
  tier: "prod",
  vsphere: site.vsphere,
  network: { cidr: "10.20.30.0/24", gateway: "10.20.30.1", dnsServers: ["10.0.0.53"], searchDomains: ["example.internal"], ntpServers: ["10.0.0.123", "10.0.1.123"] },
  template: site.template,
  controlPlane: { name: "control-plane", count: 3, cpus: 4, memoryMiB: 8192, osDiskGiB: 80, ips: ["10.20.30.11", "10.20.30.12", "10.20.30.13"] },
  workers: [
    {
      name: "storage",
      count: 3,
      cpus: 8,
      memoryMiB: 32768,
      osDiskGiB: 80,
      dataDiskGiB: 1024,
      ips: ["10.20.30.31", "10.20.30.32", "10.20.30.33"],
      labels: { "node.example.internal/role": "storage" },
      taints: [{ key: "node.example.internal/storage", effect: "NoSchedule" }],
    },
    { name: "general", count: 2, cpus: 8, memoryMiB: 32768, osDiskGiB: 100, ips: ["10.20.30.41", "10.20.30.42"] },
  ],
  kubernetes: { version: "1.33.4", apiVip: "10.20.30.10", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/16", apiCertSans: ["api.prod.k8s.example.internal"] },
  registryMirror: {
    host: "gitlab.example.internal:5050",
    pathPrefix: "platform/mirror",
    caPem: "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUc2l0ZS1jYQ==\n-----END CERTIFICATE-----\n",
  },
  sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBreakGlassKeyForTests ops@example"],
  backups: { objectStore: { endpoint: "https://s3.example.internal:9000" } },
  platform,
} satisfies EnvironmentConfig;

/** Sandbox-like: 1 control-plane node, 1 worker, no mirror, an older Kubernetes (kubeadm v1beta3). */
export const sandboxLike = {
  name: "sandbox",
  tier: "sandbox",
  vsphere: site.vsphere,
  network: { cidr: "10.20.10.0/24", gateway: "10.20.10.1", dnsServers: ["10.0.0.53"], ntpServers: ["10.0.0.123"], interface: "ens33" },
  template: { ...site.template, kubernetesVersion: "1.30.9" },
  controlPlane: { name: "control-plane", count: 1, cpus: 2, memoryMiB: 4096, osDiskGiB: 40, ips: ["10.20.10.11"] },
  workers: [{ name: "workers", count: 1, cpus: 2, memoryMiB: 4096, osDiskGiB: 40, dataDiskGiB: 20, ips: ["10.20.10.21"] }],
  kubernetes: { version: "1.30.9", apiVip: "10.20.10.10", podCidr: "10.245.0.0/16", serviceCidr: "10.97.0.0/16" },
  platform,
} satisfies EnvironmentConfig;

export const FIXTURES: readonly EnvironmentConfig[] = [prodLike, sandboxLike];
