import { stringify } from "yaml";

export interface KubeVipOptions {
  /** The API VIP kube-vip announces (ARP) on the leader node. */
  readonly vip: string;
  /** Node NIC the VIP is added to (the node network interface). */
  readonly interface: string;
  /** Image reference, already rewritten to the mirror. */
  readonly image: string;
  /** Host kubeconfig the pod uses: admin.conf normally, super-admin.conf during `kubeadm init` (>= 1.29). */
  readonly kubeconfig: "/etc/kubernetes/admin.conf" | "/etc/kubernetes/super-admin.conf";
}

/**
 * kube-vip as a static pod (control-plane VIP only, ARP, leader election through a Lease), the shape
 * `kube-vip manifest pod --arp --controlplane --leaderElection` produces. Inside the pod the
 * kubeconfig is always at /etc/kubernetes/admin.conf; only the host file behind it changes.
 */
export function kubeVipManifest(o: KubeVipOptions): string {
  const env: Record<string, string> = {
    vip_arp: "true",
    port: "6443",
    vip_interface: o.interface,
    vip_cidr: "32",
    dns_mode: "first",
    cp_enable: "true",
    cp_namespace: "kube-system",
    // Services of type LoadBalancer are not kube-vip's job here (the site's load balancer is).
    svc_enable: "false",
    vip_leaderelection: "true",
    vip_leasename: "plndr-cp-lock",
    vip_leaseduration: "5",
    vip_renewdeadline: "3",
    vip_retryperiod: "1",
    address: o.vip,
    prometheus_server: ":2112",
  };
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "kube-vip", namespace: "kube-system" },
    spec: {
      containers: [
        {
          name: "kube-vip",
          image: o.image,
          imagePullPolicy: "IfNotPresent",
          args: ["manager"],
          env: Object.entries(env).map(([name, value]) => ({ name, value })),
          securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } },
          volumeMounts: [{ mountPath: "/etc/kubernetes/admin.conf", name: "kubeconfig" }],
        },
      ],
      // admin.conf points at the VIP, which is not up until kube-vip is: kube-vip talks to the local
      // API server through the name "kubernetes" instead (works in static pods from 1.29.7/1.30.3).
      hostAliases: [{ hostnames: ["kubernetes"], ip: "127.0.0.1" }],
      hostNetwork: true,
      volumes: [{ name: "kubeconfig", hostPath: { path: o.kubeconfig, type: "File" } }],
    },
  };
  return stringify(pod, { lineWidth: 0 });
}
