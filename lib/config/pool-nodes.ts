import type { EnvironmentConfig, NodePoolConfig } from "./types";

export type NodeRole = "control-plane" | "worker";

/** One node of a pool, as every part of the library names and addresses it. */
export interface PoolNode {
  /** `<env>-<pool>-<n>`: VM name, hostname and Kubernetes node name. */
  readonly name: string;
  /** 0-based position in the pool (the n in the name is index + 1). */
  readonly index: number;
  readonly ip: string;
  readonly role: NodeRole;
  readonly pool: string;
}

/** The nodes of a pool, in order. Pure: the single place node names are derived. */
export function poolNodes(environment: string, pool: NodePoolConfig, role: NodeRole): PoolNode[] {
  return pool.ips.slice(0, pool.count).map((ip, index) => ({
    name: `${environment}-${pool.name}-${index + 1}`,
    index,
    ip,
    role,
    pool: pool.name,
  }));
}

/** Every node of the environment: control plane first, then the worker pools in order. */
export function allNodes(env: EnvironmentConfig): PoolNode[] {
  return [
    ...poolNodes(env.name, env.controlPlane, "control-plane"),
    ...env.workers.flatMap((pool) => poolNodes(env.name, pool, "worker")),
  ];
}
