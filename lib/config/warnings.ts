import { clusterCaWarning } from "./certificates";
import { TIER_RULES } from "./defaults";
import { allNodes } from "./pool-nodes";
import type { ValidatedEnvironment } from "./types";

/**
 * What is legal but suspicious in one environment: the synth goes on, and each line is shown as a
 * warning (cdktf Annotations). Pure, like the rest of lib/config.
 */
export function environmentWarnings(env: ValidatedEnvironment, now = Date.now()): string[] {
  const warnings: string[] = [];
  if (!env.registryMirror && TIER_RULES[env.tier].expectsRegistryMirror) {
    warnings.push(`${env.name}.registryMirror is not set: nodes and Helm pull every image and chart from the internet, which an air-gapped site cannot reach`);
  } else if (env.registryMirror && !env.registryMirror.chartRepository) {
    warnings.push(`${env.name}.registryMirror.chartRepository is not set: images come from the mirror but Helm charts from their upstream repositories`);
  }
  const ca = clusterCaWarning(env, now);
  if (ca) warnings.push(ca);
  if (env.backups?.etcdSnapshots === false && env.tier === "prod") {
    warnings.push(`${env.name}.backups.etcdSnapshots is false: no etcd snapshots are taken, so a lost control plane cannot be restored (README "Restoring the control plane from an etcd snapshot")`);
  }
  return warnings;
}

export interface EnvironmentWarning {
  readonly environment: string;
  readonly message: string;
}

/**
 * Environments of one app that would collide on the wire: node IPs or API VIPs used by another
 * environment on the same port group of the same datacenter. Legal (two sites may reuse a vCenter's
 * names), so one warning on each environment per other environment it collides with.
 */
export function crossEnvironmentWarnings(envs: readonly ValidatedEnvironment[]): EnvironmentWarning[] {
  const segment = (env: ValidatedEnvironment) => `${env.vsphere.datacenter}/${env.vsphere.network}`;
  const addresses = (env: ValidatedEnvironment) => new Set([...allNodes(env).map((n) => n.ip), env.kubernetes.apiVip]);
  const warnings: EnvironmentWarning[] = [];
  for (const env of envs) {
    const own = addresses(env);
    for (const other of envs) {
      if (other === env || segment(other) !== segment(env)) continue;
      const shared = [...addresses(other)].filter((ip) => own.has(ip));
      if (shared.length === 0) continue;
      warnings.push({
        environment: env.name,
        message: `${env.name} shares ${shared.length} address(es) with ${other.name} on port group ${segment(env)} (${shared.join(", ")}): give each environment its own addresses, or its own port group`,
      });
    }
  }
  return warnings;
}
