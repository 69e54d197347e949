import { Construct } from "constructs";
import { DataVsphereContentLibrary } from "@cdktf/provider-vsphere/lib/data-vsphere-content-library";
import { DataVsphereContentLibraryItem } from "@cdktf/provider-vsphere/lib/data-vsphere-content-library-item";
import { DataVsphereVirtualMachine } from "@cdktf/provider-vsphere/lib/data-vsphere-virtual-machine";
import { Fn, type IResolvable } from "cdktf";
import type { NodeTemplateSpec } from "./node-template-spec";
import { VSPHERE_VERSION_LIMITS } from "../config/vsphere-versions";
import type { VspherePlacement } from "./placement";

export interface NodeTemplateProps {
  readonly spec: NodeTemplateSpec;
  readonly placement: VspherePlacement;
}

/**
 * The node image in vCenter. A VM template is read back from vCenter so clones copy its real guest
 * id, SCSI type, firmware, secure boot, OS disk provisioning and NIC type; a content-library item
 * carries no such readable facts, so they come from the spec (the Packer manifest) and the site's
 * vSphere version. Existing nodes ignore all of these (NodePool), so a new template changes nothing
 * on them; only new and rebuilt nodes take the template's values.
 */
export class NodeTemplate extends Construct {
  readonly spec: NodeTemplateSpec;
  /** What `clone.template_uuid` takes: the template VM's UUID or the library item's id. */
  readonly uuid: string;
  /** Properties every clone must share with its template. `undefined` = provider default. */
  readonly guestId: string;
  readonly scsiType: string;
  readonly firmware: string;
  readonly adapterType?: string;
  readonly thinProvisioned?: IResolvable;
  readonly eagerlyScrub?: IResolvable;
  readonly efiSecureBootEnabled?: boolean | IResolvable;

  constructor(scope: Construct, id: string, props: NodeTemplateProps) {
    super(scope, id);
    const { spec, placement } = props;
    this.spec = spec;
    if (spec.contentLibrary) {
      const library = new DataVsphereContentLibrary(this, "library", { name: spec.contentLibrary });
      // Packer's content_library_destination with `ovf = true` publishes an OVF template: type "ovf".
      this.uuid = new DataVsphereContentLibraryItem(this, "item", { name: spec.name, libraryId: library.id, type: "ovf" }).id;
      this.guestId = spec.guestId ?? VSPHERE_VERSION_LIMITS[placement.version].guestIds[0];
      // efiSecureBootEnabled stays unset (false): packer/ builds EFI without secure boot.
      this.scsiType = spec.scsiType;
      this.firmware = spec.firmware;
    } else {
      const vm = new DataVsphereVirtualMachine(this, "vm", { name: spec.name, datacenterId: placement.datacenterId });
      this.uuid = vm.id;
      this.guestId = vm.guestId;
      this.scsiType = vm.scsiType;
      this.firmware = vm.firmware;
      this.adapterType = Fn.element(vm.networkInterfaceTypes, 0);
      this.thinProvisioned = vm.disks.get(0).thinProvisioned;
      this.eagerlyScrub = vm.disks.get(0).eagerlyScrub;
      this.efiSecureBootEnabled = vm.efiSecureBootEnabled;
    }
  }
}
