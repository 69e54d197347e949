import type { EnvironmentConfig } from "../config/types";
import { API_SERVER_PORT } from "../config/defaults";

export const HOST_FIREWALL_TABLE = "k8s_host_firewall";
export const HOST_FIREWALL_RULES_PATH = "/etc/kubernetes/host-firewall.nft";
export const HOST_FIREWALL_UNIT = "k8s-host-firewall.service";
export const HOST_FIREWALL_UNIT_PATH = `/etc/systemd/system/${HOST_FIREWALL_UNIT}`;

/** etcd client and peer: only other nodes (the API servers and etcd members) ever talk to them. */
export const NODE_ONLY_PORTS = { etcdClient: 2379, etcdPeer: 2380 } as const;

/**
 * Metrics and component ports Prometheus scrapes. Prometheus is a pod: its requests come from a pod IP
 * (kubernetes.podCidr), or from the node address when Calico's natOutgoing masquerades pod traffic to
 * another node. metrics-server (a pod) and the API server (a node address) both reach the kubelet.
 * So these stay open to the node network and the pod network, closed to everything else.
 */
export const SCRAPED_PORTS = {
  etcdMetrics: 2381,
  kubeVipMetrics: 2112,
  kubeProxyMetrics: 10249,
  kubelet: 10250,
  controllerManager: 10257,
  scheduler: 10259,
} as const;

const list = (ports: Readonly<Record<string, number>>): string => Object.values(ports).join(", ");

/**
 * The host firewall as an nftables ruleset, loaded with `nft -f`. Its own table in the inet family, so
 * it never touches the tables Calico and kube-proxy own (iptables-nft's `ip filter`/`ip nat`, Calico's
 * `calico` table in nftables mode, kube-proxy's `kube-proxy`); policy accept, so anything it does not
 * name passes to their rules unchanged. Priority filter + 5 runs it after iptables' filter INPUT
 * chain (priority 0), whose accept does not end our evaluation: only our drop decides, and only for
 * the ports below. The API server (6443) stays open: kubectl, the readiness gate and kube-vip's VIP.
 * IPv6 reaches none of the ports (the cluster is IPv4 only).
 * Re-loading is idempotent: the first two lines create the table if needed, then delete it whole.
 */
export function hostFirewallRules(env: EnvironmentConfig): string {
  const sources = (cidrs: readonly string[]) => cidrs.join(", ");
  return `#!/usr/sbin/nft -f
# Managed by the cluster bootstrap (lib/cluster/host-firewall.ts). API server :${API_SERVER_PORT} stays open.
table inet ${HOST_FIREWALL_TABLE}
delete table inet ${HOST_FIREWALL_TABLE}
table inet ${HOST_FIREWALL_TABLE} {
  set node_network {
    type ipv4_addr
    flags interval
    elements = { ${sources([env.network.cidr])} }
  }
  set pod_network {
    type ipv4_addr
    flags interval
    elements = { ${sources([env.kubernetes.podCidr])} }
  }
  chain input {
    type filter hook input priority filter + 5; policy accept;
    iif "lo" accept
    ip saddr @node_network accept
    ip saddr @pod_network tcp dport { ${list(SCRAPED_PORTS)} } accept
    tcp dport { ${list(NODE_ONLY_PORTS)}, ${list(SCRAPED_PORTS)} } counter drop
  }
}
`;
}

/** Loads the ruleset before the kubelet and containerd start (also on every reboot). */
export function hostFirewallUnit(): string {
  return `[Unit]
Description=Kubernetes host firewall (nftables table inet ${HOST_FIREWALL_TABLE})
Documentation=file://${HOST_FIREWALL_RULES_PATH}
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target containerd.service kubelet.service
After=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f ${HOST_FIREWALL_RULES_PATH}
ExecStop=/usr/sbin/nft delete table inet ${HOST_FIREWALL_TABLE}

[Install]
WantedBy=multi-user.target
`;
}
