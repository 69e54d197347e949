import { NetworkPolicyV1, type NetworkPolicyV1Spec } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PLATFORM_RELEASE_NAMESPACES, type PlatformReleaseNamespace } from "./namespaces";
import { type NetworkPolicyObject, platformNetworkPolicies, type PolicyPeer, type PolicyPort, policyNetworks } from "./network-policies";
import type { PlatformContext } from "./platform-context";

/** A NetworkPolicy's spec as the kubernetes provider takes it (ports are strings there). */
export function providerSpec(spec: NetworkPolicyObject["spec"]): NetworkPolicyV1Spec {
  const ports = (list?: readonly PolicyPort[]) => list?.map((p) => ({ protocol: p.protocol, port: String(p.port), ...(p.endPort ? { endPort: p.endPort } : {}) }));
  const peers = (list?: readonly PolicyPeer[]) =>
    list?.map(({ ipBlock, ...selectors }) => ({ ...selectors, ...(ipBlock ? { ipBlock: { cidr: ipBlock.cidr, except: ipBlock.except && [...ipBlock.except] } } : {}) }));
  return {
    podSelector: spec.podSelector,
    policyTypes: [...spec.policyTypes],
    ingress: spec.ingress?.map((r) => ({ from: peers(r.from), ports: ports(r.ports) })),
    egress: spec.egress?.map((r) => ({ to: peers(r.to), ports: ports(r.ports) })),
  };
}

export interface PlatformNetworkPoliciesProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Each namespace's policies wait for it (the API readiness gate comes with it). */
  readonly namespaces: Readonly<Record<PlatformReleaseNamespace, ITerraformDependable>>;
}

/**
 * The NetworkPolicies of every platform namespace (`security.networkPolicies`): deny by default, then what each
 * component needs, as platformNetworkPolicies() lists them. Each release depends on its namespace's policies, so
 * its pods start under the final rules and a missing rule fails the release instead of a later upgrade.
 */
export class PlatformNetworkPolicies extends Construct {
  readonly byNamespace: Readonly<Record<PlatformReleaseNamespace, readonly NetworkPolicyV1[]>>;

  constructor(scope: Construct, id: string, props: PlatformNetworkPoliciesProps) {
    super(scope, id);
    const byNamespace = Object.fromEntries(PLATFORM_RELEASE_NAMESPACES.map((ns) => [ns, [] as NetworkPolicyV1[]])) as Record<PlatformReleaseNamespace, NetworkPolicyV1[]>;
    for (const policy of platformNetworkPolicies(policyNetworks(props.context))) {
      const ns = policy.metadata.namespace as PlatformReleaseNamespace;
      byNamespace[ns].push(
        new NetworkPolicyV1(this, `${ns}-${policy.metadata.name}`, {
          metadata: { ...policy.metadata },
          spec: providerSpec(policy.spec),
          dependsOn: [props.namespaces[ns]],
        }),
      );
    }
    this.byNamespace = byNamespace;
  }
}
