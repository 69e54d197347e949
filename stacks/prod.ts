import type { EnvironmentConfig } from "../lib";
import { site } from "./site";
import { tenants } from "./tenants";

/** 3 control-plane nodes, Ceph on a dedicated storage pool, general workers for applications. */
export const prod = {
  name: "prod",
  tier: "prod",
  vsphere: { ...site.vsphere, folder: "kubernetes/prod", resourcePool: "prod" },
  network: { cidr: "10.20.30.0/24", gateway: "10.20.30.1", ...site.dns },
  template: site.template,
  controlPlane: {
    name: "control-plane",
    count: 3,
    cpus: 4,
    memoryMiB: 8192,
    osDiskGiB: 80,
    ips: ["10.20.30.11", "10.20.30.12", "10.20.30.13"],
  },
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
    },
    {
      name: "general",
      count: 4,
      cpus: 8,
      memoryMiB: 32768,
      osDiskGiB: 100,
      ips: ["10.20.30.41", "10.20.30.42", "10.20.30.43", "10.20.30.44"],
    },
  ],
  kubernetes: {
    version: site.kubernetesVersion,
    apiVip: "10.20.30.10",
    podCidr: "10.244.0.0/16",
    serviceCidr: "10.96.0.0/16",
    apiCertSans: ["api.prod.k8s.example.internal"],
  },
  registryMirror: site.registryMirror,
  security: { ...site.security, gitlabCi: { ...site.gitlabCi, audience: "kubernetes-prod" } },
  backups: { objectStore: { ...site.objectStore, bucketPrefix: "prod-k8s" } },
  tenants,
  platform: {
    // Deployed while Helm created the namespaces: Terraform imports them (a no-op once they are in state).
    adoptExistingNamespaces: true,
    domain: "prod.k8s.example.internal",
    ingress: { public: { httpNodePort: 30080, httpsNodePort: 30443 }, admin: { httpNodePort: 31080, httpsNodePort: 31443 } },
    gitops: { repoURL: "https://gitlab.example.internal/platform/gitops.git", path: "envs/prod", targetRevision: "main", username: "argocd" },
    monitoring: {
      retention: "30d",
      storageGiB: 200,
      smtp: { smarthost: "smtp.example.internal:587", from: "alertmanager-prod@example.internal" },
      receivers: [
        { name: "ops-mail", type: "email", to: ["ops@example.internal"] },
        // Everything goes to ops-mail (the default receiver); critical alerts also page in Teams.
        { name: "ops-teams", type: "teams", matchers: ['severity="critical"'] },
      ],
    },
  },
} satisfies EnvironmentConfig;
