import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon } from "./helm-addon";
import { NAMESPACE } from "./names";

/**
 * Encapsulation of the pod network. VXLAN, not IPIP: it needs no BGP (bgp Disabled, no BIRD, no TCP 179
 * between nodes) and works over any L3 path, including NSX/distributed firewalls that drop IP protocol 4
 * (IP-in-IP) but pass UDP 4789. Cost: 50 bytes of MTU, which Calico auto-detects from the node NIC.
 */
export const CALICO_ENCAPSULATION = "VXLAN";

/** Images of the tigera-operator chart; Calico's own images follow `installation.registry`. */
export const CALICO_IMAGES: readonly ImageField[] = [
  { kind: "registry", path: "tigeraOperator.registry", upstream: "quay.io" },
  { kind: "ref", path: "calicoctl.image", upstream: "quay.io/calico/ctl" },
  // The operator pulls calico/node, typha, kube-controllers, csi, goldmane, whisker from
  // <registry><imagePath>/...; upstream default registry is quay.io/ (imagePath "calico").
  { kind: "registry", path: "installation.registry", upstream: "quay.io", trailingSlash: true },
];

export interface CalicoProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** The API readiness gate. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * Calico through the tigera-operator chart, in two releases:
 * - `calico-crds` (crd.projectcalico.org.v1): since v3.32 the operator chart has no crds/ directory and its
 *   templates contain the Installation/APIServer custom resources, so on a fresh cluster it fails with
 *   `no matches for kind "Installation"` unless the CRDs exist first (upstream's documented install:
 *   CRD chart first, projectcalico/calico#12860). The CRDs sit in that chart's templates/, so Helm
 *   upgrades them with the chart version (unlike crds/ directories, which Helm never upgrades).
 * - `calico` (tigera-operator) with `manageCRDs: false`: one owner per CRD. With both managing them the
 *   operator and Helm would fight over fields on every upgrade.
 * The pod CIDR is `kubernetes.podCidr`, the same field kubeadm's podSubnet is rendered from.
 */
export class Calico extends Construct {
  readonly crds: HelmAddon;
  readonly operator: HelmAddon;

  constructor(scope: Construct, id: string, props: CalicoProps) {
    super(scope, id);
    const { context } = props;
    this.crds = new HelmAddon(this, "crds", {
      releaseName: "calico-crds",
      chart: CHARTS.calicoCrds,
      namespace: NAMESPACE.calico,
      mirror: context.mirror,
      defaults: {},
      overrides: addonOverrides(context, "calico-crds"),
      // Uninstalling (or replacing) this release deletes the Calico CRDs and with them the pod network.
      preventDestroy: context.platform.protectPodNetwork ?? context.rules.protectPodNetwork,
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
    this.operator = new HelmAddon(this, "operator", {
      releaseName: "calico",
      chart: CHARTS.tigeraOperator,
      namespace: NAMESPACE.calico,
      mirror: context.mirror,
      defaults: { manageCRDs: false },
      environment: {
        installation: {
          calicoNetwork: {
            bgp: "Disabled",
            // The address kubeadm registered (node-ip), never "first found": kube-vip adds the API VIP as a
            // /32 on the leading control-plane node's NIC, and a VXLAN endpoint on the VIP breaks pod
            // networking each time the VIP moves.
            nodeAddressAutodetectionV4: { kubernetes: "NodeInternalIP" },
            ipPools: [
              {
                name: "default-ipv4-ippool",
                cidr: context.podCidr,
                encapsulation: CALICO_ENCAPSULATION,
                natOutgoing: "Enabled",
                nodeSelector: "all()",
                blockSize: 26,
              },
            ],
          },
        },
        // Calico talks to the API server through the kube-vip VIP, not the kube-proxy service IP: the CNI
        // must work before kube-proxy rules exist, and the VIP survives the loss of any control-plane node.
        kubernetesServiceEndpoint: { host: context.apiServer.host, port: String(context.apiServer.port) },
      },
      images: CALICO_IMAGES,
      overrides: addonOverrides(context, "calico"),
      // Waits for the operator Deployment only; the calico-node rollout continues after (nodes go Ready).
      timeoutSeconds: 600,
      dependsOn: [...props.dependsOn, this.crds.release],
    });
  }
}
