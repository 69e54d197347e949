import type { EnvironmentConfig } from "../lib";
import { site } from "./site";
import { tenants } from "./tenants";

/** One small node of each kind: cheap, disposable, local state. */
export const sandbox = {
  name: "sandbox",
  tier: "sandbox",
  vsphere: { ...site.vsphere, folder: "kubernetes/sandbox" },
  network: { cidr: "10.20.10.0/24", gateway: "10.20.10.1", ...site.dns },
  template: site.template,
  controlPlane: { name: "control-plane", count: 1, cpus: 2, memoryMiB: 4096, osDiskGiB: 40, ips: ["10.20.10.11"] },
  workers: [
    { name: "worker", count: 1, cpus: 4, memoryMiB: 8192, osDiskGiB: 60, dataDiskGiB: 50, ips: ["10.20.10.21"] },
  ],
  kubernetes: {
    version: site.kubernetesVersion,
    apiVip: "10.20.10.10",
    podCidr: "10.244.0.0/16",
    serviceCidr: "10.96.0.0/16",
  },
  registryMirror: site.registryMirror,
  security: { ...site.security, gitlabCi: { ...site.gitlabCi, audience: "kubernetes-sandbox" } },
  tenants,
  platform: {
    // Deployed while Helm created the namespaces: Terraform imports them (a no-op once they are in state).
    adoptExistingNamespaces: true,
    domain: "sandbox.k8s.example.internal",
    ingress: { public: { httpNodePort: 30080, httpsNodePort: 30443 }, admin: { httpNodePort: 31080, httpsNodePort: 31443 } },
    gitops: { repoURL: "https://gitlab.example.internal/platform/gitops.git", path: "envs/sandbox", targetRevision: "main" },
    monitoring: { retention: "2d", storageGiB: 10 },
  },
} satisfies EnvironmentConfig;
