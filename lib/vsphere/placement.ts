import { Construct } from "constructs";
import { DataVsphereComputeCluster } from "@cdktf/provider-vsphere/lib/data-vsphere-compute-cluster";
import { DataVsphereDatacenter } from "@cdktf/provider-vsphere/lib/data-vsphere-datacenter";
import { DataVsphereDatastore } from "@cdktf/provider-vsphere/lib/data-vsphere-datastore";
import { DataVsphereNetwork } from "@cdktf/provider-vsphere/lib/data-vsphere-network";
import { DataVsphereResourcePool } from "@cdktf/provider-vsphere/lib/data-vsphere-resource-pool";
import type { VsphereConfig } from "../config/types";

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
    this.resourcePoolId = vsphere.resourcePool
      ? new DataVsphereResourcePool(this, "resource-pool", {
          // A bare pool name is looked up under the cluster, as vCenter shows it.
          name: vsphere.resourcePool.includes("/") ? vsphere.resourcePool : `${vsphere.computeCluster}/Resources/${vsphere.resourcePool}`,
          datacenterId,
        }).id
      : cluster.resourcePoolId;
    this.folder = vsphere.folder;
  }
}
