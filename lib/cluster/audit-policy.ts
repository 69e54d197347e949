import { toYaml } from "../config/yaml-text";

/**
 * The API server's audit Policy (audit.k8s.io/v1). Rules are evaluated in order and the first match
 * decides, so the noise we drop comes first, then what must never have its body logged (Secrets,
 * ConfigMaps, tokens), then what we want in full (RBAC and workload writes), then Metadata for the rest.
 */

/** Requests to these paths are never logged: load balancers, kubelet probes and Prometheus hit them constantly. */
const HEALTH_PATHS = ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics"];

/** Writes: what changes the cluster. */
const WRITES = ["create", "update", "patch", "delete", "deletecollection"];
const READS = ["get", "list", "watch"];

/** Workload kinds whose writes are logged with request bodies (who deployed what, with which spec). */
const WORKLOADS = [
  { group: "", resources: ["pods", "pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers", "services", "serviceaccounts", "persistentvolumeclaims", "namespaces"] },
  { group: "apps", resources: ["deployments", "statefulsets", "daemonsets", "replicasets"] },
  { group: "batch", resources: ["jobs", "cronjobs"] },
  { group: "networking.k8s.io", resources: ["networkpolicies", "ingresses"] },
  { group: "admissionregistration.k8s.io", resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings"] },
];

export const AUDIT_POLICY_PATH = "/etc/kubernetes/apiserver/audit-policy.yaml";
export const AUDIT_LOG_DIR = "/var/log/kubernetes/audit";
export const AUDIT_LOG_PATH = `${AUDIT_LOG_DIR}/audit.log`;

export function auditPolicy(): Record<string, unknown> {
  const rules: Record<string, unknown>[] = [
    { level: "None", nonResourceURLs: HEALTH_PATHS },
    // Events are themselves a log; coordination leases are renewed every few seconds by every node and leader.
    { level: "None", resources: [{ group: "", resources: ["events"] }, { group: "events.k8s.io", resources: ["events"] }] },
    { level: "None", resources: [{ group: "coordination.k8s.io", resources: ["leases"] }], verbs: [...READS, "update", "patch"] },
    // Read-only noise of the system components (kube-proxy's watches, kubelets' reads, leader election).
    { level: "None", users: ["system:kube-proxy"], verbs: ["watch"], resources: [{ group: "", resources: ["endpoints", "services", "services/status"] }, { group: "discovery.k8s.io", resources: ["endpointslices"] }] },
    { level: "None", userGroups: ["system:nodes"], verbs: READS },
    { level: "None", users: ["system:kube-scheduler", "system:kube-controller-manager"], verbs: READS },
    { level: "None", users: ["system:apiserver"], verbs: READS },
    // Never a body: Secret values, ConfigMap contents (often credentials), and tokens.
    {
      level: "Metadata",
      resources: [
        { group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] },
        { group: "authentication.k8s.io", resources: ["tokenreviews"] },
      ],
    },
    // Who may do what: every RBAC change with request and response.
    { level: "RequestResponse", verbs: WRITES, resources: [{ group: "rbac.authorization.k8s.io" }] },
    // Workload changes with the submitted object.
    { level: "Request", verbs: WRITES, resources: WORKLOADS },
    // Everything else: who did what, when, with which result.
    { level: "Metadata" },
  ];
  return { apiVersion: "audit.k8s.io/v1", kind: "Policy", omitStages: ["RequestReceived"], rules };
}

export function auditPolicyYaml(): string {
  return toYaml(auditPolicy());
}
