import type { EnvironmentConfig, NodePoolConfig } from "./types";
import { Problems, show } from "./problems";

/** `{ "<node>": <revision> }`: the node revisions a program (`npm run roll`) bumps, one file per environment. */
export type NodeRevisions = Readonly<Record<string, number>>;

/**
 * The environment with `revisions` merged into its pools' `nodeRevisions`. The revisions come from a
 * file a program writes (stacks/revisions/<env>.json), so they are checked here with their source:
 * an unknown node, a revision that is not a whole number >= 0, or a node whose revision the typed
 * config already sets (two places for one value: which wins would be a guess) is a ConfigError.
 */
export function withNodeRevisions<T extends EnvironmentConfig>(env: T, revisions: unknown, source: string): T {
  const problems = new Problems();
  const where = `${env.name} node revisions (${source})`;
  if (revisions === null || typeof revisions !== "object" || Array.isArray(revisions)) {
    problems.add(where, `${show(revisions)} must be an object of node name to revision number, e.g. { "${env.name}-general-1": 1 }`);
    problems.throwIfAny(`Invalid node revisions for "${env.name}"`);
  }
  const pools: NodePoolConfig[] = [env.controlPlane, ...(env.workers ?? [])];
  const poolOf = new Map<string, NodePoolConfig>();
  for (const pool of pools) {
    const count = typeof pool?.count === "number" ? pool.count : 0;
    for (let i = 1; i <= count; i++) poolOf.set(`${env.name}-${pool.name}-${i}`, pool);
  }
  const added = new Map<NodePoolConfig, Record<string, number>>();
  for (const [node, revision] of Object.entries(revisions as Record<string, unknown>)) {
    const path = `${where}.${node}`;
    const pool = poolOf.get(node);
    if (!pool) {
      problems.add(path, `is not a node of ${env.name}; its nodes are ${[...poolOf.keys()].join(", ")}: remove the entry or fix the name`);
      continue;
    }
    if (typeof revision !== "number" || !Number.isInteger(revision) || revision < 0) {
      problems.add(path, `${show(revision)} must be a whole number >= 0; increase it by one to rebuild the node`);
      continue;
    }
    if (pool.nodeRevisions?.[node] !== undefined) {
      problems.add(path, `is also set in the config (${env.name} pool "${pool.name}" nodeRevisions: ${pool.nodeRevisions[node]}); keep one: move it to the file or delete the file's entry`);
      continue;
    }
    added.set(pool, { ...added.get(pool), [node]: revision });
  }
  problems.throwIfAny(`Invalid node revisions for "${env.name}"`);
  const merged = <P extends NodePoolConfig>(pool: P): P => {
    const extra = added.get(pool);
    return extra ? { ...pool, nodeRevisions: { ...pool.nodeRevisions, ...extra } } : pool;
  };
  return { ...env, controlPlane: merged(env.controlPlane), workers: env.workers?.map(merged) };
}
