import { Construct } from "constructs";
import { DataVsphereComputeCluster } from "@cdktf/provider-vsphere/lib/data-vsphere-compute-cluster";
import { DataVsphereDatacenter } from "@cdktf/provider-vsphere/lib/data-vsphere-datacenter";
import { DataVsphereDatastore } from "@cdktf/provider-vsphere/lib/data-vsphere-datastore";
import { DataVsphereNetwork } from "@cdktf/provider-vsphere/lib/data-vsphere-network";
import { DataVsphereResourcePool } from "@cdktf/provider-vsphere/lib/data-vsphere-resource-pool";
import type { VsphereConfig } from "../config/types";
import { DEFAULT_VSPHERE_VERSION, type VsphereVersion } from "../config/vsphere-versions";

export interface VspherePlacementProps {
  readonly vsphere: VsphereConfig;
}

/**
 * Looks up, by inventory name, where the environment's VMs go. Lookups (not resources): the
 * datacenter, cluster, datastore and port group are the site's, never created or destroyed by us.
 */
export class VspherePlacement extends Construct {
  readonly datacenterId: string;
  readonly computeClusterId: string;
  readonly datastoreId: string;
  readonly networkId: string;
  readonly resourcePoolId: string;
  /** VM folder path relative to the datacenter's VM folder. */
  readonly folder: string;
  /** The site's vSphere version (oldest ESXi host): what clones may be and how tools sync time. */
  readonly version: VsphereVersion;

  constructor(scope: Construct, id: string, props: VspherePlacementProps) {
    super(scope, id);
    const { vsphere } = props;
    const datacenter = new DataVsphereDatacenter(this, "datacenter", { name: vsphere.datacenter });
    const datacenterId = datacenter.id;
    const cluster = new DataVsphereComputeCluster(this, "compute-cluster", { name: vsphere.computeCluster, datacenterId });
    this.datacenterId = datacenterId;
    this.computeClusterId = cluster.id;
    this.datastoreId = new DataVsphereDatastore(this, "datastore", { name: vsphere.datastore, datacenterId }).id;
    this.networkId = new DataVsphereNetwork(this, "network", { name: vsphere.network, datacenterId }).id;
    // Pool by pool below the cluster's root pool (parent_resource_pool_id): an inventory path string
    // ("<cluster>/Resources/<pool>") breaks as soon as the cluster sits in a host folder.
    this.resourcePoolId = (vsphere.resourcePool?.split("/") ?? []).reduce(
      (parentResourcePoolId, name, i) =>
        new DataVsphereResourcePool(this, i === 0 ? "resource-pool" : `resource-pool-${i}`, { name, parentResourcePoolId }).id,
      cluster.resourcePoolId,
    );
    this.folder = vsphere.folder;
    this.version = vsphere.version ?? DEFAULT_VSPHERE_VERSION;
  }
}
