import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { HelmAddon } from "./helm-addon";
import { NAMESPACE } from "./names";
import { addonOverrides, type PlatformContext } from "./platform-context";

/** Images of the snapshot-controller chart; their tags are empty in its values (the appVersion, v8.6.0). */
export const SNAPSHOT_CONTROLLER_IMAGES: readonly ImageField[] = [
  { kind: "ref", path: "controller.image.repository", upstream: "registry.k8s.io/sig-storage/snapshot-controller" },
  // Off (webhook.enabled false), but named in the values: rewritten so no value points outside the mirror.
  { kind: "ref", path: "webhook.image.repository", upstream: "registry.k8s.io/sig-storage/snapshot-conversion-webhook" },
];

/**
 * The chart's values we set. The controller's container already runs as 1000, read-only, without capabilities;
 * Pod Security `restricted` also wants seccomp RuntimeDefault and no privilege escalation, which the chart leaves
 * out (Helm merges these two keys into its securityContext map).
 */
export const SNAPSHOT_CONTROLLER_VALUES = {
  // The CRDs are templates of this chart (since 5.0.0): Helm upgrades them with every chart bump, and deletes them
  // with the release (hence prevent_destroy and the review gate's volume-snapshot-crds rule).
  installCRDs: true,
  controller: {
    securityContext: { allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } },
  },
  // The conversion webhook only converts VolumeGroupSnapshotContents a cluster still holds in v1beta1/v1beta2;
  // a cluster that never had them needs none (the chart's default since 5.2.0, stated so a bump cannot turn it on).
  webhook: { enabled: false },
} as const;

export interface SnapshotControllerProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** The pod network and the `snapshot-controller` namespace (and its NetworkPolicies). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * The VolumeSnapshot CRDs (snapshot.storage.k8s.io/v1: VolumeSnapshotClass, VolumeSnapshotContent, VolumeSnapshot;
 * groupsnapshot.storage.k8s.io) and the snapshot controller of kubernetes-csi/external-snapshotter, through
 * piraeusdatastore's `snapshot-controller` chart: kubeadm ships neither. Ceph CSI's csi-snapshotter sidecar (Rook
 * runs it) does the snapshots; this controller binds VolumeSnapshots to their contents. Velero's CSI backups need both.
 *
 * CRD-bearing: uninstalling the release deletes the CRDs and with them every VolumeSnapshot in the cluster, so on
 * dev and prod Terraform refuses to destroy or replace it (`platform.protectVolumeSnapshots`, like Calico's CRDs).
 */
export class SnapshotController extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: SnapshotControllerProps) {
    super(scope, id);
    const { context } = props;
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "snapshot-controller",
      chart: CHARTS.snapshotController,
      namespace: NAMESPACE.snapshotController,
      mirror: context.mirror,
      defaults: SNAPSHOT_CONTROLLER_VALUES,
      images: SNAPSHOT_CONTROLLER_IMAGES,
      overrides: addonOverrides(context, "snapshot-controller"),
      preventDestroy: context.platform.protectVolumeSnapshots ?? context.rules.protectVolumeSnapshots,
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
  }
}
