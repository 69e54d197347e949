import type { EnvironmentConfig } from "../config/types";
import type { PoolNode } from "../config/pool-nodes";
import { type RenderOptions, renderCloudConfig, revisionOf } from "./cloud-config";
import type { ClusterSecrets } from "./secrets";

/**
 * Stand-ins for what differs between the workers of one pool. Two sets: a pool's cloud-config is rendered
 * with each, and the fast path is used only if both renderings agree once their stand-ins are aligned,
 * i.e. the text depends on a node only through these values, verbatim (no `index + 1`, no stand-in
 * digits inside other text). Names and numbers YAML writes as plain scalars, like the real values.
 */
const STAND_INS = [
  { name: "zq-node-name-a", ip: "zq-node-ip-a", index: 918_273_645, revision: 546_372_819 },
  { name: "zq-node-name-b", ip: "zq-node-ip-b", index: 827_364_519, revision: 637_281_945 },
] as const;
type StandIn = (typeof STAND_INS)[number];

/**
 * Renders every node's cloud-config like `renderCloudConfig`, byte for byte, but a worker pool's YAML only
 * once: each worker's text is the pool's with its name, IP, index and revision put in. Rendering (YAML of
 * some 30 files, the bootstrap script) was a fifth of the cost of a VM at synth. Control-plane nodes (a
 * handful, each different: init, peers, timers) take the straightforward path, as does a pool whose text
 * does not pass the stand-in check. A test renders every node of every fixture both ways.
 */
export function cloudConfigRenderer(
  env: EnvironmentConfig,
  secrets: ClusterSecrets,
  optionsOf: (node: PoolNode) => RenderOptions,
): CloudConfigRenderer {
  const templates = new Map<string, PoolTemplate | undefined>();
  const templateOf = (node: PoolNode): PoolTemplate | undefined => {
    if (node.role !== "worker") return undefined;
    if (!templates.has(node.pool)) templates.set(node.pool, poolTemplate(env, node, secrets, optionsOf(node)));
    return templates.get(node.pool);
  };
  const render = (node: PoolNode): string => {
    const template = templateOf(node);
    return template ? template.fill(nodeValues(env, node)) : renderCloudConfig(env, node, secrets, optionsOf(node));
  };
  return Object.assign(render, { templateOf });
}

/** Renders a node's cloud-config; `templateOf` gives its worker pool's template, if the pool has one. */
export interface CloudConfigRenderer {
  (node: PoolNode): string;
  templateOf(node: PoolNode): PoolTemplate | undefined;
}

/** What differs between the workers of a pool, as the text shows it. */
export type NodeValues = Record<"name" | "ip" | "index" | "revision", string>;

export function nodeValues(env: EnvironmentConfig, node: PoolNode): NodeValues {
  return { name: node.name, ip: node.ip, index: String(node.index), revision: String(revisionOf(env, node)) };
}

export interface PoolTemplate {
  /** The pool's text with these values put in. */
  fill(values: NodeValues): string;
}

/** The pool's text split at the stand-ins, or undefined when the two renderings disagree. */
function poolTemplate(env: EnvironmentConfig, like: PoolNode, secrets: ClusterSecrets, options: RenderOptions): PoolTemplate | undefined {
  const [a, b] = STAND_INS.map((s) => renderCloudConfig(withRevision(env, like.pool, s), { ...like, name: s.name, ip: s.ip, index: s.index }, secrets, options));
  const [partsA, partsB] = [split(a, STAND_INS[0]), split(b, STAND_INS[1])];
  const key = (p: Part) => (typeof p === "string" ? p : `\0${p.key}`);
  const same = partsA.length === partsB.length && partsA.every((p, i) => key(p) === key(partsB[i]));
  if (!same) return undefined;
  return { fill: (values) => partsA.map((p) => (typeof p === "string" ? p : values[p.key])).join("") };
}

/** Literal text, or a hole where a stand-in value stood. */
type Part = string | { readonly key: keyof NodeValues };

function split(text: string, standIn: StandIn): Part[] {
  const byValue = new Map<string, keyof NodeValues>(
    (["name", "ip", "index", "revision"] as const).map((key) => [String(standIn[key]), key]),
  );
  const pattern = new RegExp([...byValue.keys()].join("|"), "g");
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parts.push(text.slice(last, match.index));
    parts.push({ key: byValue.get(match[0]) as keyof NodeValues });
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** The environment with the stand-in's revision recorded for the stand-in node (revisions are looked up by name). */
function withRevision(env: EnvironmentConfig, pool: string, standIn: StandIn): EnvironmentConfig {
  return {
    ...env,
    workers: env.workers.map((p) => (p.name === pool ? { ...p, nodeRevisions: { ...p.nodeRevisions, [standIn.name]: standIn.revision } } : p)),
  };
}
