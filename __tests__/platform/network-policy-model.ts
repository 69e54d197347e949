/**
 * Test helpers: synthesized kubernetes_network_policy_v1 resources turned back into Kubernetes NetworkPolicy
 * objects (as the provider's expand functions build them), and a small evaluator of the NetworkPolicy
 * semantics (networking.k8s.io/v1 API reference) to ask "may A connect to B on port P" of a set of policies.
 */
import { cidrContains, parseCidr, parseIpv4 } from "../../lib/config/ipv4";
import type { NetworkPolicyObject, PolicyPeer, PolicyPort } from "../../lib/platform/network-policies";

type Json = Record<string, any>;

/** Keys the converter reads; anything else in a synthesized policy is a field it would silently drop. */
const KNOWN = new Set(["//", "depends_on", "metadata", "spec", "name", "namespace", "pod_selector", "policy_types", "ingress", "egress", "from", "to", "ports", "port", "protocol", "end_port", "ip_block", "cidr", "except", "namespace_selector", "match_labels", "labels"]);

function checkKeys(value: unknown, path: string): void {
  if (Array.isArray(value)) return value.forEach((v, i) => checkKeys(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    if (path.endsWith("match_labels") || path.endsWith("labels") || path.endsWith("//")) continue; // label maps: any keys
    if (!KNOWN.has(k)) throw new Error(`${path}.${k}: not converted back (extend network-policy-model.ts)`);
    checkKeys(v, `${path}.${k}`);
  }
}

const selector = (s: Json | undefined) => (s === undefined ? undefined : s.match_labels ? { matchLabels: s.match_labels } : {});
function peer(p: Json): PolicyPeer {
  return {
    ...(p.pod_selector ? { podSelector: selector(p.pod_selector) } : {}),
    ...(p.namespace_selector ? { namespaceSelector: selector(p.namespace_selector) } : {}),
    ...(p.ip_block ? { ipBlock: { cidr: p.ip_block.cidr, ...(p.ip_block.except ? { except: p.ip_block.except } : {}) } } : {}),
  };
}
// The provider sends a numeric string as a number (intstr.FromInt), anything else as a named port.
const port = (p: Json): PolicyPort => ({ protocol: p.protocol, port: /^\d+$/.test(p.port) ? Number(p.port) : p.port, ...(p.end_port !== undefined ? { endPort: p.end_port } : {}) });

/** One synthesized kubernetes_network_policy_v1 as the NetworkPolicy the provider would send. */
export function fromSynth(resource: Json): NetworkPolicyObject {
  checkKeys(resource, "resource");
  const spec = resource.spec;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: resource.metadata.name, namespace: resource.metadata.namespace },
    spec: {
      podSelector: selector(spec.pod_selector) ?? {},
      policyTypes: spec.policy_types,
      ...(spec.ingress ? { ingress: spec.ingress.map((r: Json) => ({ ...(r.from ? { from: r.from.map(peer) } : {}), ...(r.ports ? { ports: r.ports.map(port) } : {}) })) } : {}),
      ...(spec.egress ? { egress: spec.egress.map((r: Json) => ({ ...(r.to ? { to: r.to.map(peer) } : {}), ...(r.ports ? { ports: r.ports.map(port) } : {}) })) } : {}),
    },
  };
}

/** A pod (namespace + labels + IP) or an address outside the cluster (IP only). */
export interface Endpoint {
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ip: string;
}

const matches = (sel: { matchLabels?: Readonly<Record<string, string>> } | undefined, labels: Readonly<Record<string, string>>) =>
  Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

function inCidr(ip: string, block: string): boolean {
  return cidrContains(parseCidr(block)!, parseIpv4(ip)!);
}

function peerMatches(p: PolicyPeer, policyNamespace: string, e: Endpoint): boolean {
  if (p.ipBlock) return inCidr(e.ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((x) => inCidr(e.ip, x));
  if (e.namespace === undefined) return false; // selectors select pods only
  const nsOk = p.namespaceSelector ? matches(p.namespaceSelector, { "kubernetes.io/metadata.name": e.namespace }) : e.namespace === policyNamespace;
  return nsOk && (p.podSelector ? matches(p.podSelector, e.labels ?? {}) : true);
}

const portMatches = (ports: readonly PolicyPort[] | undefined, protocol: string, n: number) =>
  ports === undefined || ports.some((p) => p.protocol === protocol && (p.endPort !== undefined ? n >= p.port && n <= p.endPort : p.port === n));

/** Whether the policies let `pod` send (Egress) to or receive (Ingress) from `other` on protocol/port. */
function allowedFor(policies: readonly NetworkPolicyObject[], direction: "Ingress" | "Egress", pod: Endpoint, other: Endpoint, protocol: string, n: number): boolean {
  const selecting = policies.filter((p) => p.metadata.namespace === pod.namespace && matches(p.spec.podSelector, pod.labels ?? {}) && p.spec.policyTypes.includes(direction));
  if (selecting.length === 0) return true; // not isolated in this direction
  return selecting.some((p) => {
    const rules = direction === "Ingress" ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some((r) => portMatches(r.ports, protocol, n) && (r.peers === undefined || r.peers.some((peer) => peerMatches(peer, p.metadata.namespace, other))));
  });
}

/** May `from` open a connection to `to` on `protocol`/`port`? Both sides' policies must allow it (pods outside the platform namespaces are not isolated here). */
export function mayConnect(policies: readonly NetworkPolicyObject[], from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
  const egress = from.namespace === undefined || allowedFor(policies, "Egress", from, to, protocol, port);
  const ingress = to.namespace === undefined || allowedFor(policies, "Ingress", to, from, protocol, port);
  return egress && ingress;
}
