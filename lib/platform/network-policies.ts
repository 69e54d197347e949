import { API_SERVER_PORT } from "../config/defaults";
import { formatIpv4, parseCidr } from "../config/ipv4";
import { NAMESPACE } from "./names";
import { PLATFORM_RELEASE_NAMESPACES, type PlatformReleaseNamespace } from "./namespaces";
import type { PlatformContext } from "./platform-context";

/**
 * THE NetworkPolicies of the platform namespaces, as plain Kubernetes objects (PlatformNetworkPolicies turns them
 * into kubernetes_network_policy_v1 resources): deny by default, then what each component needs.
 */

/** Label selectors as the Kubernetes API writes them. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}
export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}
export interface PolicyPort {
  readonly protocol: "TCP" | "UDP";
  readonly port: number;
  readonly endPort?: number;
}
export interface PolicyRule {
  /** @default any peer */
  readonly peers?: readonly PolicyPeer[];
  /** @default every port */
  readonly ports?: readonly PolicyPort[];
}
/** A networking.k8s.io/v1 NetworkPolicy, exactly in the API's shape (ingress `from`, egress `to`). */
export interface NetworkPolicyObject {
  readonly apiVersion: "networking.k8s.io/v1";
  readonly kind: "NetworkPolicy";
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes: readonly ("Ingress" | "Egress")[];
    readonly ingress?: readonly { readonly from?: readonly PolicyPeer[]; readonly ports?: readonly PolicyPort[] }[];
    readonly egress?: readonly { readonly to?: readonly PolicyPeer[]; readonly ports?: readonly PolicyPort[] }[];
  };
}

/**
 * Ports the policies open, each the container port the chart (with our values) really listens on; a test
 * reads every one back from the vendored values.yaml so a chart bump that moves a port fails loudly.
 */
export const POLICY_PORTS = {
  /** Traefik entry points `web` and `websecure` (ports.<name>.port; the NodePort Service targets them). */
  traefikEntryPoints: [8000, 8443],
  /** Traefik's `metrics` entry point (ports.metrics.port). */
  traefikMetrics: 9100,
  /** argocd-server's HTTP port (server.containerPorts.server; server.insecure: TLS ends at Traefik). */
  argocdServer: 8080,
  /** Metrics of application controller, server and repo server (<component>.containerPorts.metrics). */
  argocdMetrics: [8082, 8083, 8084],
  /** Grafana's container port (grafana.service.targetPort). */
  grafana: 3000,
  /** Prometheus and Alertmanager web ports (<component>.service.targetPort). */
  prometheus: 9090,
  alertmanager: 9093,
  /** cert-manager's webhook (webhook.securePort) and the prometheus-operator's admission webhook (prometheusOperator.tls.internalPort). */
  certManagerWebhook: 10250,
  prometheusOperatorWebhook: 10250,
  /** cert-manager controller, webhook and cainjector metrics (`http-metrics`, fixed in the chart's templates). */
  certManagerMetrics: 9402,
  /** Ceph mon (msgr2 3300, msgr1 6789) and OSD/MDS/MGR daemons (6800-7300), Ceph's fixed ports. */
  cephMon: [3300, 6789],
  cephDaemons: { from: 6800, to: 7300 },
  /** ceph-mgr's prometheus module. */
  cephMgrMetrics: 9283,
  /** cert-manager's HTTP-01 solver pods (ACME issuer), in the namespace of the Ingress they answer for. */
  acmeSolver: 8089,
  dns: 53,
  /** Kyverno's admission webhook and the cleanup controller's webhook (admissionController.webhookServer.port, cleanupController.server.port). */
  kyvernoWebhook: 9443,
  /** Metrics of every Kyverno controller (<controller>.metering.port). */
  kyvernoMetrics: 8000,
  /** Velero's and its node-agent's metrics (metrics.service.port, the node-agent's fixed `http-monitoring`). */
  veleroMetrics: 8085,
  /** Ceph RGW (the in-cluster S3 store): Rook's beast frontend listens on 8080 behind the Service's gateway port. */
  cephRgw: 8080,
  /** The `kubernetes` Service port (its first address). */
  apiServerService: 443,
  /** Loki's HTTP port (loki.server.http_listen_port): push, query, metrics. */
  loki: 3100,
  /** Fluent Bit's HTTP server (metricsPort): metrics. */
  fluentBitMetrics: 2020,
} as const;

/** Pod labels the charts set (their templates), by component. */
export const POD_LABELS = {
  traefik: { "app.kubernetes.io/name": "traefik" },
  argocdServer: { "app.kubernetes.io/name": "argocd-server" },
  argocdRepoServer: { "app.kubernetes.io/name": "argocd-repo-server" },
  certManagerController: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" },
  certManagerWebhook: { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" },
  grafana: { "app.kubernetes.io/name": "grafana" },
  prometheus: { "app.kubernetes.io/name": "prometheus" },
  alertmanager: { "app.kubernetes.io/name": "alertmanager" },
  blackboxExporter: { "app.kubernetes.io/name": "prometheus-blackbox-exporter" },
  acmeSolver: { "acme.cert-manager.io/http01-solver": "true" },
  coreDns: { "k8s-app": "kube-dns" },
  /** Kyverno's admission and cleanup controllers (the webhooks the API server calls). */
  kyvernoWebhooks: { "app.kubernetes.io/part-of": "kyverno" },
  loki: { "app.kubernetes.io/name": "loki" },
  fluentBit: { "app.kubernetes.io/name": "fluent-bit" },
  /** Rook's RGW pods (the in-cluster object store's S3 API). */
  cephRgw: { app: "rook-ceph-rgw" },
} as const;

/** The networks the policies are written in: all from config, the same fields kubeadm and Calico are rendered from. */
export interface PolicyNetworks {
  /** `kubernetes.podCidr` (Calico's IP pool, and its VXLAN tunnel addresses). */
  readonly podCidr: string;
  /** `kubernetes.serviceCidr`. */
  readonly serviceCidr: string;
  /** `network.cidr`: nodes, the API VIP, host-network pods. */
  readonly nodeCidr: string;
  /**
   * The site's log collector Fluent Bit forwards to (`logs.forward`).
   * @default no forwarding: Fluent Bit reaches nothing outside the cluster
   */
  readonly logForward?: PolicyPort;
}

export function policyNetworks(context: PlatformContext): PolicyNetworks {
  const forward = context.logs?.forward;
  return {
    podCidr: context.podCidr,
    serviceCidr: context.serviceCidr,
    nodeCidr: context.nodeCidr,
    ...(forward ? { logForward: { protocol: forward.protocol.endsWith("-udp") ? "UDP" : "TCP", port: forward.port } } : {}),
  };
}

/** The `kubernetes` Service: the first address of the service CIDR. */
export function apiServiceAddress(serviceCidr: string): string {
  const cidr = parseCidr(serviceCidr);
  if (!cidr) throw new Error(`not a CIDR: ${serviceCidr}`); // validated config never gets here
  return formatIpv4(cidr.network + 1);
}

const tcp = (...ports: number[]): PolicyPort[] => ports.map((port) => ({ protocol: "TCP", port }));
const inNamespace = (namespace: string, podLabels?: Readonly<Record<string, string>>): PolicyPeer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
  ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
});
const cidr = (block: string, except?: readonly string[]): PolicyPeer => ({ ipBlock: { cidr: block, ...(except ? { except } : {}) } });

/**
 * Sources a node's own traffic can carry: the node address, or, towards a pod on another node, the node's Calico
 * VXLAN tunnel address, which Calico allocates from the pod CIDR. The API server (host network) calling a
 * webhook and the kernel RBD client talking to Ceph arrive from either.
 */
function clusterHosts(n: PolicyNetworks): PolicyPeer[] {
  return [cidr(n.nodeCidr), cidr(n.podCidr)];
}
/** Everything outside the cluster's pod and service networks (Git, OIDC issuer, SMTP, ACME, probed URLs, the load balancer). */
function outside(n: PolicyNetworks): PolicyPeer[] {
  return [cidr("0.0.0.0/0", [n.podCidr, n.serviceCidr])];
}
const PROMETHEUS = inNamespace(NAMESPACE.monitoring, POD_LABELS.prometheus);
const GRAFANA = inNamespace(NAMESPACE.monitoring, POD_LABELS.grafana);
const ADMIN_TRAEFIK = inNamespace("traefik-admin", POD_LABELS.traefik);

interface PolicyDraft {
  readonly name: string;
  /** @default every pod of the namespace */
  readonly pods?: Readonly<Record<string, string>>;
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

/** What every platform namespace gets: deny by default, its own pods among themselves, DNS and the API server. */
function baseline(n: PolicyNetworks): PolicyDraft[] {
  return [
    // No rules: every pod is isolated both ways; every other policy adds to it.
    { name: "default-deny", ingress: [], egress: [] },
    // A namespace is one product (Argo CD and its redis, Grafana and Prometheus, Ceph daemons among themselves).
    { name: "same-namespace", ingress: [{ peers: [{ podSelector: {} }] }], egress: [{ peers: [{ podSelector: {} }] }] },
    {
      name: "dns-and-api-server",
      egress: [
        { peers: [inNamespace("kube-system", POD_LABELS.coreDns)], ports: [{ protocol: "UDP", port: POLICY_PORTS.dns }, { protocol: "TCP", port: POLICY_PORTS.dns }] },
        // The policy sees the Service address before kube-proxy's DNAT on some dataplanes and the endpoints
        // (control-plane node IPs:6443) after it on others (Calico's iptables dataplane): allow both.
        { peers: [cidr(`${apiServiceAddress(n.serviceCidr)}/32`)], ports: tcp(POLICY_PORTS.apiServerService) },
        { peers: [cidr(n.nodeCidr)], ports: tcp(API_SERVER_PORT) },
      ],
    },
  ];
}

const fromPrometheus = (...ports: number[]): PolicyDraft => ({ name: "metrics-from-prometheus", ingress: [{ peers: [PROMETHEUS], ports: tcp(...ports) }] });
const toOutside = (name: string, pods: Readonly<Record<string, string>>, n: PolicyNetworks): PolicyDraft => ({ name, pods, egress: [{ peers: outside(n) }] });
const acmeSolverFromAdminTraefik: PolicyDraft = {
  name: "acme-solver-from-traefik-admin",
  pods: POD_LABELS.acmeSolver,
  ingress: [{ peers: [ADMIN_TRAEFIK], ports: tcp(POLICY_PORTS.acmeSolver) }],
};

/** What each component needs beyond the baseline, per namespace. */
function componentPolicies(namespace: PlatformReleaseNamespace, n: PolicyNetworks): PolicyDraft[] {
  switch (namespace) {
    case "tigera-operator":
      // The operator runs in the host network, where NetworkPolicies do not apply: the baseline is all there is.
      return [];
    case "cert-manager":
      return [
        { name: "webhook-from-api-server", pods: POD_LABELS.certManagerWebhook, ingress: [{ peers: clusterHosts(n), ports: tcp(POLICY_PORTS.certManagerWebhook) }] },
        fromPrometheus(POLICY_PORTS.certManagerMetrics),
        // ACME directory and the HTTP-01 self-check through the load balancer.
        toOutside("controller-to-acme", POD_LABELS.certManagerController, n),
      ];
    case "traefik-public":
    case "traefik-admin":
      return [
        // NodePort traffic keeps the client's address (externalTrafficPolicy Local): any source, entry points only.
        { name: "entrypoints-from-anywhere", pods: POD_LABELS.traefik, ingress: [{ ports: tcp(...POLICY_PORTS.traefikEntryPoints) }] },
        { name: "to-backends", pods: POD_LABELS.traefik, egress: [{ peers: [{ namespaceSelector: {} }] }] },
        fromPrometheus(POLICY_PORTS.traefikMetrics),
      ];
    case "argocd":
      return [
        { name: "server-from-traefik-admin", pods: POD_LABELS.argocdServer, ingress: [{ peers: [ADMIN_TRAEFIK], ports: tcp(POLICY_PORTS.argocdServer) }] },
        fromPrometheus(...POLICY_PORTS.argocdMetrics),
        toOutside("repo-server-to-git", POD_LABELS.argocdRepoServer, n),
        toOutside("server-to-oidc-issuer", POD_LABELS.argocdServer, n),
        acmeSolverFromAdminTraefik,
      ];
    case "monitoring":
      return [
        { name: "grafana-from-traefik-admin", pods: POD_LABELS.grafana, ingress: [{ peers: [ADMIN_TRAEFIK], ports: tcp(POLICY_PORTS.grafana) }] },
        { name: "prometheus-from-traefik-admin", pods: POD_LABELS.prometheus, ingress: [{ peers: [ADMIN_TRAEFIK], ports: tcp(POLICY_PORTS.prometheus) }] },
        { name: "alertmanager-from-traefik-admin", pods: POD_LABELS.alertmanager, ingress: [{ peers: [ADMIN_TRAEFIK], ports: tcp(POLICY_PORTS.alertmanager) }] },
        // Only the operator listens on 10250 here (its admission webhook for PrometheusRules and friends).
        { name: "operator-webhook-from-api-server", ingress: [{ peers: clusterHosts(n), ports: tcp(POLICY_PORTS.prometheusOperatorWebhook) }] },
        // Scrape targets: kubelets, node-exporter, etcd/scheduler/controller-manager on the nodes, any pod's metrics.
        { name: "prometheus-to-scrape-targets", pods: POD_LABELS.prometheus, egress: [{ peers: [cidr(n.nodeCidr), cidr(n.podCidr)] }] },
        toOutside("alertmanager-to-receivers", POD_LABELS.alertmanager, n),
        toOutside("grafana-to-oidc-issuer", POD_LABELS.grafana, n),
        // Loki as a Grafana data source.
        { name: "grafana-to-loki", pods: POD_LABELS.grafana, egress: [{ peers: [inNamespace(NAMESPACE.logging, POD_LABELS.loki)], ports: tcp(POLICY_PORTS.loki) }] },
        toOutside("blackbox-exporter-to-probed-urls", POD_LABELS.blackboxExporter, n),
        acmeSolverFromAdminTraefik,
      ];
    case "rook-ceph":
      return [
        // Pods reach Ceph only through the kernel RBD client and the CSI node plugins, i.e. from the nodes.
        {
          name: "ceph-from-cluster-hosts",
          ingress: [
            {
              peers: clusterHosts(n),
              ports: [...tcp(...POLICY_PORTS.cephMon), { protocol: "TCP", port: POLICY_PORTS.cephDaemons.from, endPort: POLICY_PORTS.cephDaemons.to }],
            },
          ],
        },
        fromPrometheus(POLICY_PORTS.cephMgrMetrics),
        // The in-cluster S3 store (sandbox/dev): clients outside the cluster (etcd snapshots on the nodes) and Velero go
        // through https://s3.<domain>, i.e. the admin Traefik; Loki reads and writes the gateway's Service directly.
        { name: "rgw-from-traefik-admin", pods: POD_LABELS.cephRgw, ingress: [{ peers: [ADMIN_TRAEFIK], ports: tcp(POLICY_PORTS.cephRgw) }] },
        { name: "rgw-from-loki", pods: POD_LABELS.cephRgw, ingress: [{ peers: [inNamespace(NAMESPACE.logging, POD_LABELS.loki)], ports: tcp(POLICY_PORTS.cephRgw) }] },
      ];
    case "kyverno":
      return [
        // Admission and cleanup webhooks; the other controllers listen on nothing but metrics.
        { name: "webhooks-from-api-server", pods: POD_LABELS.kyvernoWebhooks, ingress: [{ peers: clusterHosts(n), ports: tcp(POLICY_PORTS.kyvernoWebhook) }] },
        fromPrometheus(POLICY_PORTS.kyvernoMetrics),
      ];
    case "logging":
      return [
        // Fluent Bit pushes to Loki inside the namespace (same-namespace); the kubernetes filter reads the API (baseline).
        fromPrometheus(POLICY_PORTS.loki, POLICY_PORTS.fluentBitMetrics),
        { name: "loki-from-grafana", pods: POD_LABELS.loki, ingress: [{ peers: [GRAFANA], ports: tcp(POLICY_PORTS.loki) }] },
        // The object store: the in-cluster RGW, or an external S3 endpoint outside the cluster.
        {
          name: "loki-to-object-store",
          pods: POD_LABELS.loki,
          egress: [{ peers: [inNamespace(NAMESPACE.rook, POD_LABELS.cephRgw)], ports: tcp(POLICY_PORTS.cephRgw) }, { peers: outside(n) }],
        },
        ...(n.logForward ? [{ name: "fluent-bit-to-log-collector", pods: POD_LABELS.fluentBit, egress: [{ peers: outside(n), ports: [n.logForward] }] }] : []),
      ];
    case "velero":
      return [
        fromPrometheus(POLICY_PORTS.veleroMetrics),
        // The object store: an external endpoint, or the in-cluster one through the admin ingress's load balancer.
        { name: "to-object-store", egress: [{ peers: outside(n) }] },
      ];
    case "snapshot-controller":
      // The controller only watches and writes snapshot objects through the API server (the baseline allows it);
      // the CSI snapshotter sidecar that talks to Ceph runs in rook-ceph. Its metrics are not scraped.
      return [];
  }
}

function toObject(namespace: string, draft: PolicyDraft): NetworkPolicyObject {
  const policyTypes = [...(draft.ingress ? ["Ingress" as const] : []), ...(draft.egress ? ["Egress" as const] : [])];
  const rule = <K extends "from" | "to">(key: K, r: PolicyRule) => ({ ...(r.peers ? { [key]: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: draft.name, namespace },
    spec: {
      podSelector: draft.pods ? { matchLabels: draft.pods } : {},
      policyTypes,
      ...(draft.ingress && draft.ingress.length > 0 ? { ingress: draft.ingress.map((r) => rule("from", r)) } : {}),
      ...(draft.egress && draft.egress.length > 0 ? { egress: draft.egress.map((r) => rule("to", r)) } : {}),
    },
  };
}

/** Every NetworkPolicy of the platform namespaces, as Kubernetes objects. */
export function platformNetworkPolicies(networks: PolicyNetworks): NetworkPolicyObject[] {
  return PLATFORM_RELEASE_NAMESPACES.flatMap((ns) => [...baseline(networks), ...componentPolicies(ns, networks)].map((d) => toObject(ns, d)));
}
