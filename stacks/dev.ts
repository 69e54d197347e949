import type { EnvironmentConfig } from "../lib/config/types";
import { site } from "./site";

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
} satisfies EnvironmentConfig;
