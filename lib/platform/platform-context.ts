import { API_SERVER_PORT, TIER_RULES, type TierRules } from "../config/defaults";
import type { AddonName, HelmValues, PlatformConfig } from "../config/platform";
import { etcdSnapshotSettings } from "../config/backups";
import { logsSettings, type LogsSettings } from "../config/logs";
import { poolNodes } from "../config/pool-nodes";
import type { RegistryMirrorConfig, Tier, ValidatedEnvironment } from "../config/types";
import { type CephOsdNode, cephOsdNodes } from "./ceph-devices";

/**
 * The one narrow view of an environment every add-on receives (cdk-eks-blueprints' ClusterInfo):
 * resolved once from the validated environment, so an add-on never reads the whole config and a
 * consumer can compose the add-ons differently (drop one, replace one with their own) from this alone.
 */
export interface PlatformContext {
  /** Environment name: the Argo CD project, alert and probe labels. */
  readonly environment: string;
  readonly tier: Tier;
  /** The tier's defaults (lib/config/defaults.ts), for what the platform config leaves open. */
  readonly rules: TierRules;
  /** @default no mirror: upstream registries and chart repositories */
  readonly mirror?: RegistryMirrorConfig;
  /** The API server as in-cluster components that run before kube-proxy reach it: the kube-vip VIP. */
  readonly apiServer: { readonly host: string; readonly port: number };
  /** Pod network (kubeadm's podSubnet): Calico's IP pool. */
  readonly podCidr: string;
  /** Service network (kubeadm's serviceSubnet): its first address is the `kubernetes` Service. */
  readonly serviceCidr: string;
  /** The node network (`network.cidr`): every node, the API VIP, kubelets and host-network pods. */
  readonly nodeCidr: string;
  /** Kubernetes x.y.z the cluster runs (`kubernetes.version`). */
  readonly kubernetesVersion: string;
  /** Control-plane node IPs, where kubeadm's etcd, scheduler and controller-manager expose metrics. */
  readonly controlPlaneIps: readonly string[];
  /** Ceph OSD hosts: every node of a pool with a data disk, with the device filter of its disk layout. */
  readonly cephOsdNodes: readonly CephOsdNode[];
  /** The environment's `platform` block as written (domain, ingress, gitops, monitoring, storage, overrides). */
  readonly platform: PlatformConfig;
  /** @default undefined when `logs` is false (no Loki, no Fluent Bit) */
  readonly logs?: LogsSettings;
  /**
   * Hours between two etcd snapshots (`backups.etcdSnapshots`), for their alerts.
   * @default undefined: snapshots off, no etcd backup alerts
   */
  readonly etcdSnapshotIntervalHours?: number;
}

export function platformContext(config: ValidatedEnvironment): PlatformContext {
  return {
    environment: config.name,
    tier: config.tier,
    rules: TIER_RULES[config.tier],
    mirror: config.registryMirror,
    apiServer: { host: config.kubernetes.apiVip, port: API_SERVER_PORT },
    podCidr: config.kubernetes.podCidr,
    serviceCidr: config.kubernetes.serviceCidr,
    nodeCidr: config.network.cidr,
    kubernetesVersion: config.kubernetes.version,
    controlPlaneIps: poolNodes(config.name, config.controlPlane, "control-plane").map((n) => n.ip),
    cephOsdNodes: cephOsdNodes(config),
    platform: config.platform,
    logs: logsSettings(config),
    etcdSnapshotIntervalHours: etcdSnapshotSettings(config)?.intervalHours,
  };
}

/** The user's last-word Helm values for one add-on (`platform.overrides.<addon>`). */
export function addonOverrides(context: PlatformContext, addon: AddonName): HelmValues | undefined {
  return context.platform.overrides?.[addon];
}
