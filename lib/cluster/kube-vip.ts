import { toYaml } from "../config/yaml-text";

/** Host kubeconfig of kube-vip: its own credential, allowed only its Lease (see kubeVipRbac). */
export const KUBE_VIP_KUBECONFIG = "/etc/kubernetes/kube-vip.conf";
/** kubeadm's system:masters kubeconfig: kube-vip needs it during `kubeadm init` only (>= 1.29). */
export const SUPER_ADMIN_KUBECONFIG = "/etc/kubernetes/super-admin.conf";
/** The user kube-vip's client certificate names (CN), bound to the Role below. */
export const KUBE_VIP_USER = "kube-vip";
/** The Lease kube-vip's control-plane leader election takes (vip_leasename). */
export const KUBE_VIP_LEASE = "plndr-cp-lock";

export interface KubeVipOptions {
  /** The API VIP kube-vip announces (ARP) on the leader node. */
  readonly vip: string;
  /** Node NIC the VIP is added to (the node network interface). */
  readonly interface: string;
  /** Image reference, already rewritten to the mirror. */
  readonly image: string;
  /** Host kubeconfig the pod uses: kube-vip's own, or super-admin.conf during `kubeadm init` (>= 1.29). */
  readonly kubeconfig: typeof KUBE_VIP_KUBECONFIG | typeof SUPER_ADMIN_KUBECONFIG | "/etc/kubernetes/admin.conf";
}

/**
 * kube-vip as a static pod (control-plane VIP only, ARP, leader election through a Lease), the shape
 * `kube-vip manifest pod --arp --controlplane --leaderElection` produces. kube-vip reads its kubeconfig
 * at /etc/kubernetes/admin.conf inside the pod (and talks to https://kubernetes:6443), so only the host
 * file mounted there changes.
 */
export function kubeVipManifest(o: KubeVipOptions): string {
  const env: Record<string, string> = {
    vip_arp: "true",
    port: "6443",
    vip_interface: o.interface,
    // kube-vip >= 0.9 reads vip_subnet (vip_cidr is ignored).
    vip_subnet: "32",
    dns_mode: "first",
    cp_enable: "true",
    cp_namespace: "kube-system",
    // Services of type LoadBalancer are not kube-vip's job here (the site's load balancer is).
    svc_enable: "false",
    vip_leaderelection: "true",
    vip_leasename: KUBE_VIP_LEASE,
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
          env: [
            ...Object.entries(env).map(([name, value]) => ({ name, value })),
            // The lease holder identity is the Kubernetes node name, not the container's hostname.
            { name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
          ],
          securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } },
          volumeMounts: [{ mountPath: "/etc/kubernetes/admin.conf", name: "kubeconfig" }],
        },
      ],
      // The kubeconfig points at the VIP, which is not up until kube-vip is: kube-vip talks to the local
      // API server through the name "kubernetes" instead (works in static pods from 1.29.7/1.30.3).
      hostAliases: [{ hostnames: ["kubernetes"], ip: "127.0.0.1" }],
      hostNetwork: true,
      volumes: [{ name: "kubeconfig", hostPath: { path: o.kubeconfig, type: "File" } }],
    },
  };
  return toYaml(pod);
}

/**
 * What kube-vip's credential may do: its leader-election Lease in kube-system, nothing else. In
 * control-plane ARP mode with svc_enable=false kube-vip (1.0) only runs that election; it watches no
 * Services, Endpoints or Nodes (node labeling is off). Applied by the bootstrap with admin.conf right
 * after `kubeadm init`/`join`, so the VIP never waits for anything Terraform creates.
 */
export function kubeVipRbac(): string {
  const meta = { name: KUBE_VIP_USER, namespace: "kube-system" };
  const role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta,
    rules: [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch"] }],
  };
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta,
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: KUBE_VIP_USER },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: KUBE_VIP_USER }],
  };
  return [role, binding].map((o) => toYaml(o)).join("---\n");
}
