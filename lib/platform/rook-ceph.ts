import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon } from "./helm-addon";
import { NAMESPACE } from "./names";

export const ROOK_OPERATOR_IMAGES: readonly ImageField[] = [
  { kind: "ref", path: "image.repository", upstream: "docker.io/rook/ceph" },
  { kind: "ref", path: "csi.cephcsi.repository", upstream: "quay.io/cephcsi/cephcsi" },
  { kind: "ref", path: "csi.registrar.repository", upstream: "registry.k8s.io/sig-storage/csi-node-driver-registrar" },
  { kind: "ref", path: "csi.provisioner.repository", upstream: "registry.k8s.io/sig-storage/csi-provisioner" },
  { kind: "ref", path: "csi.snapshotter.repository", upstream: "registry.k8s.io/sig-storage/csi-snapshotter" },
  { kind: "ref", path: "csi.attacher.repository", upstream: "registry.k8s.io/sig-storage/csi-attacher" },
  { kind: "ref", path: "csi.resizer.repository", upstream: "registry.k8s.io/sig-storage/csi-resizer" },
  { kind: "ref", path: "csi.csiAddons.repository", upstream: "quay.io/csiaddons/k8s-sidecar" },
  // ceph-csi-operator subchart (values not vendored in __tests__/reference/charts; path from ceph/ceph-csi-operator's chart).
  { kind: "ref", path: "ceph-csi-operator.controllerManager.manager.image.repository", upstream: "quay.io/cephcsi/ceph-csi-operator" },
];

export interface RookCephOperatorProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * Let ObjectBucketClaims name the RGW user that owns their bucket (`additionalConfig.bucketOwner`): the in-cluster
   * object store's buckets all belong to one user. Only claims in rook-ceph are served (enableOBCWatchOperatorNamespace).
   * @default false
   */
  readonly bucketOwnerClaims?: boolean;
}

/** The Rook operator (and its CRDs, and the Ceph CSI operator). The cluster is a separate release. */
export class RookCephOperator extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: RookCephOperatorProps) {
    super(scope, id);
    const { context } = props;
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "rook-ceph",
      chart: CHARTS.rookCeph,
      namespace: NAMESPACE.rook,
      mirror: context.mirror,
      defaults: { crds: { enabled: true } },
      // The chart's default list plus bucketOwner (Rook v1.20 docs, ceph-object-bucket-claim.md).
      environment: props.bucketOwnerClaims ? { enableOBCWatchOperatorNamespace: true, obcAllowAdditionalConfigFields: "maxObjects,maxSize,bucketOwner" } : {},
      images: ROOK_OPERATOR_IMAGES,
      overrides: addonOverrides(context, "rook-ceph"),
      timeoutSeconds: 600,
      dependsOn: props.dependsOn,
    });
  }
}
