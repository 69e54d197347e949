import { MANAGED_BY_TERRAFORM } from "../config/labels";
import type { ContainerDefaults, TenantEgress, TenantQuota, TenantSettings } from "../config/tenants";
import { NAMESPACE } from "../platform/names";
import type { NetworkPolicyObject, PolicyPeer } from "../platform/network-policies";
import { POD_LABELS, POLICY_PORTS } from "../platform/network-policies";

/**
 * THE Kubernetes objects of a tenant stage, as plain API objects (the constructs turn them into provider
 * resources; tests validate them with kubernetes-models and evaluate the policies). Pure: no cdktf.
 */

/** The ClusterRoles Kubernetes ships, bound per stage namespace: never cluster-wide. */
export const TENANT_ROLES = { admin: "admin", edit: "edit", view: "view" } as const;
export type TenantRole = keyof typeof TENANT_ROLES;

/** RoleBinding names inside every stage namespace. */
export const TENANT_BINDINGS: Readonly<Record<TenantRole, string>> = { admin: "tenant-admins", edit: "tenant-developers", view: "tenant-viewers" };

/** The CI identity of every stage: a ServiceAccount with `edit` in its own namespace only. */
export const CI_SERVICE_ACCOUNT = "ci";
export const CI_BINDING = "ci-edit";
/** The RoleBinding of the tenant's GitLab project's CI jobs (their `id_tokens`, security.gitlabCi) to `edit`. */
export const GITLAB_CI_BINDING = "ci-gitlab";

/** The PriorityClass of tenant workloads (defined with the tenant config: the admission policy that sets it reads it too). */
export { TENANT_PRIORITY_CLASS } from "../config/tenants";

/** Label keys on every tenant namespace (and object): admission policies select tenant namespaces by TENANT_LABEL. */
export const TENANT_LABEL = "vsphere-kubeadm-platform/tenant";
export const STAGE_LABEL = "vsphere-kubeadm-platform/stage";

/** Labels on everything a tenant owns: who it belongs to, for people, policies and the review. */
export function tenantLabels(tenant: string, stage: string): Record<string, string> {
  return { ...MANAGED_BY_TERRAFORM, [TENANT_LABEL]: tenant, [STAGE_LABEL]: stage };
}

const QUOTA_KEYS: Readonly<Record<keyof TenantQuota, string>> = {
  cpu: "requests.cpu",
  cpuLimit: "limits.cpu",
  memory: "requests.memory",
  memoryLimit: "limits.memory",
  storage: "requests.storage",
  persistentVolumeClaims: "persistentvolumeclaims",
  pods: "pods",
  services: "services",
  secrets: "secrets",
  configMaps: "configmaps",
};

/** ResourceQuota `spec.hard` of a stage. */
export function quotaHard(quota: Required<TenantQuota>): Record<string, string> {
  return Object.fromEntries(Object.entries(QUOTA_KEYS).map(([key, api]) => [api, String(quota[key as keyof TenantQuota])]));
}

/**
 * The LimitRange item: what a container that sets nothing gets. The quota counts requests and limits, so without
 * these defaults a pod that sets none would be refused outright.
 */
export function containerLimits(d: Required<ContainerDefaults>) {
  return { type: "Container", default: { cpu: d.cpuLimit, memory: d.memoryLimit }, defaultRequest: { cpu: d.cpuRequest, memory: d.memoryRequest } };
}

const inNamespace = (namespace: string, podLabels: Readonly<Record<string, string>>): PolicyPeer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
  podSelector: { matchLabels: podLabels },
});

function egressRule(e: TenantEgress) {
  return { to: [{ ipBlock: { cidr: e.cidr } }], ...(e.ports ? { ports: e.ports.map((p) => ({ protocol: p.protocol, port: p.port })) } : {}) };
}

/**
 * A stage's NetworkPolicies: deny by default; its own pods among themselves; from the public Traefik (the only
 * way in from outside); scrapes from Prometheus (ServiceMonitors are tenant kinds); DNS; the declared egress.
 * Not the API server: CI reaches it from outside the cluster, and a workload that needs it is an exception
 * to declare (egress to the node network on 6443).
 */
export function tenantNetworkPolicies(tenant: TenantSettings, namespace: string): NetworkPolicyObject[] {
  const policy = (name: string, spec: Omit<NetworkPolicyObject["spec"], "podSelector">): NetworkPolicyObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec: { podSelector: {}, ...spec },
  });
  const dns = [{ protocol: "UDP" as const, port: POLICY_PORTS.dns }, { protocol: "TCP" as const, port: POLICY_PORTS.dns }];
  return [
    policy("default-deny", { policyTypes: ["Ingress", "Egress"] }),
    policy("same-namespace", { policyTypes: ["Ingress", "Egress"], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] }),
    policy("from-public-ingress", { policyTypes: ["Ingress"], ingress: [{ from: [inNamespace(NAMESPACE.traefik("public"), POD_LABELS.traefik)] }] }),
    policy("metrics-from-prometheus", { policyTypes: ["Ingress"], ingress: [{ from: [inNamespace(NAMESPACE.monitoring, POD_LABELS.prometheus)] }] }),
    policy("dns", { policyTypes: ["Egress"], egress: [{ to: [inNamespace("kube-system", POD_LABELS.coreDns)], ports: dns }] }),
    ...(tenant.egress.length > 0 ? [policy("declared-egress", { policyTypes: ["Egress"], egress: tenant.egress.map(egressRule) })] : []),
  ];
}
