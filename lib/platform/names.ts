/**
 * Names shared between add-ons, each defined once: a storage class or ingress class typed twice would
 * drift silently (monitoring asking for a class Rook never creates stays Pending forever).
 */

/** The RBD StorageClass Rook creates (default class) and every platform volume uses. */
export const CEPH_BLOCK_STORAGE_CLASS = "ceph-block";

/** Ingress classes: one Traefik instance each. */
export const INGRESS_CLASS = { public: "public", admin: "admin" } as const;
export type IngressClassName = keyof typeof INGRESS_CLASS;

/**
 * Priority of Traefik's HTTP -> HTTPS redirect router under the `acme` issuer, and of cert-manager's HTTP-01
 * solver Ingress above it: the challenge is answered on port 80 and everything else redirected. Traefik gives
 * an Ingress router its rule's length as priority (far below), and the redirect router MaxInt-1 by default,
 * above any Ingress (user priorities stop at MaxInt-1000: traefik v3.7 pkg/server/router/router.go). Kept
 * below 10^6: Helm reads values as float64 and the chart prints larger ones as 1e+06.
 */
export const HTTP_REDIRECT_PRIORITY = 100000;
export const ACME_SOLVER_ROUTER_PRIORITY = HTTP_REDIRECT_PRIORITY + 1;

export const NAMESPACE = {
  calico: "tigera-operator",
  certManager: "cert-manager",
  traefik: (cls: IngressClassName) => `traefik-${cls}`,
  argocd: "argocd",
  monitoring: "monitoring",
  rook: "rook-ceph",
  kyverno: "kyverno",
  logging: "logging",
  velero: "velero",
  snapshotController: "snapshot-controller",
} as const;

/**
 * Helm release of the tenant admission policies (Kyverno ClusterPolicies): the review gate names it (a change
 * there is routine, with a note), so it lives here, free of provider bindings.
 */
export const ADMISSION_POLICIES_RELEASE = "admission-policies";

/**
 * Helm release of the in-cluster object store (CephObjectStore, its S3 user and buckets, the `s3.<domain>` Ingress):
 * the review gate refuses its removal (buckets hold the backups), so the name lives here, free of provider bindings.
 */
export const OBJECT_STORE_RELEASE = "object-store";

/**
 * Helm release of Traefik's CRDs (TraefikCrds): the review gate refuses its removal (uninstalling it without the keep
 * policy deletes every IngressRoute, Middleware and TLSStore), so the name lives here, free of provider bindings.
 */
export const TRAEFIK_CRDS_RELEASE = "traefik-crds";

/** Namespaces the GitOps AppProject may never deploy to: the platform's own (Helm/Terraform own them). */
export const PLATFORM_NAMESPACES = [
  "kube-system", "kube-public", "kube-node-lease", "tigera-operator", "calico-system", "calico-apiserver",
  "cert-manager", "traefik-public", "traefik-admin", "monitoring", "rook-ceph", "kyverno", "logging", "velero",
  "snapshot-controller",
] as const;

export type PlatformUi = "argocd" | "grafana" | "prometheus" | "alertmanager";

/** Hostnames of the platform UIs on the admin ingress class. */
export function uiHost(app: PlatformUi, domain: string): string {
  return `${app}.${domain}`;
}

/** Secret of a platform UI's certificate (cert-manager writes it next to the Ingress). */
export function uiTlsSecret(app: PlatformUi): string {
  return `${app}-tls`;
}
