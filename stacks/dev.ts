import type { EnvironmentConfig } from "../lib";
import { site } from "./site";
import { tenants } from "./tenants";

/** Production-shaped (3 control-plane nodes, 3 Ceph nodes), smaller machines. */
export const dev = {
  name: "dev",
  tier: "dev",
  vsphere: { ...site.vsphere, folder: "kubernetes/dev" },
  network: { cidr: "10.20.20.0/24", gateway: "10.20.20.1", ...site.dns },
  template: site.template,
  controlPlane: {
    name: "control-plane",
    count: 3,
    cpus: 2,
    memoryMiB: 4096,
    osDiskGiB: 60,
    ips: ["10.20.20.11", "10.20.20.12", "10.20.20.13"],
  },
  workers: [
    {
      name: "worker",
      count: 3,
      cpus: 4,
      memoryMiB: 16384,
      osDiskGiB: 80,
      dataDiskGiB: 200,
      ips: ["10.20.20.21", "10.20.20.22", "10.20.20.23"],
    },
  ],
  kubernetes: {
    version: site.kubernetesVersion,
    apiVip: "10.20.20.10",
    podCidr: "10.244.0.0/16",
    serviceCidr: "10.96.0.0/16",
    apiCertSans: ["api.dev.k8s.example.internal"],
  },
  registryMirror: site.registryMirror,
  security: { ...site.security, gitlabCi: { ...site.gitlabCi, audience: "kubernetes-dev" } },
  tenants,
  platform: {
    // Deployed while Helm created the namespaces: Terraform imports them (a no-op once they are in state).
    adoptExistingNamespaces: true,
    domain: "dev.k8s.example.internal",
    ingress: { public: { httpNodePort: 30080, httpsNodePort: 30443 }, admin: { httpNodePort: 31080, httpsNodePort: 31443 } },
    gitops: { repoURL: "https://gitlab.example.internal/platform/gitops.git", path: "envs/dev", targetRevision: "main", username: "argocd" },
    monitoring: {
      retention: "7d",
      storageGiB: 50,
      smtp: { smarthost: "smtp.example.internal:587", from: "alertmanager-dev@example.internal" },
      receivers: [{ name: "dev-mail", type: "email", to: ["platform-dev@example.internal"] }],
    },
  },
} satisfies EnvironmentConfig;
