import type { NodeNetworkConfig } from "../config/types";
import type { PoolNode } from "../config/pool-nodes";
import { DEFAULT_NODE_INTERFACE } from "../config/defaults";
import { parseCidr } from "../config/ipv4";


/**
 * cloud-init metadata for the VMware datasource (guestinfo.metadata): identity and the static
 * network config (v2). `instance-id` carries the node revision, so a rebuilt node is a new instance.
 * `cleanup-guestinfo` makes cloud-init clear the user-data (which holds join secrets) from the VM's
 * guestinfo after first boot; Terraform ignores extra_config changes, so it does not put it back.
 */
export function nodeMetadata(node: PoolNode, network: NodeNetworkConfig, revision: number, hasUserData: boolean): object {
  const prefix = parseCidr(network.cidr)?.prefix;
  const iface = network.interface ?? DEFAULT_NODE_INTERFACE;
  return {
    "instance-id": `${node.name}-r${revision}`,
    "local-hostname": node.name,
    network: {
      version: 2,
      ethernets: {
        [iface]: {
          match: { name: iface },
          "set-name": iface,
          dhcp4: false,
          addresses: [`${node.ip}/${prefix}`],
          // `to: default` is parsed only by cloud-init >= 25.3; older ones (all of Rocky 9) fail init-local.
          routes: [{ to: "0.0.0.0/0", via: network.gateway }],
          nameservers: { addresses: [...network.dnsServers], search: [...(network.searchDomains ?? [])] },
        },
      },
    },
    ...(hasUserData ? { "cleanup-guestinfo": ["userdata"] } : {}),
  };
}
