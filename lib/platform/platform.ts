import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ClusterConnection } from "../cluster/kubeadm-cluster";
import { securitySettings } from "../config/security";
import { tenantSettings } from "../config/tenants";
import type { ValidatedEnvironment } from "../config/types";
import { ArgoCd } from "./argo-cd";
import { type PlatformContext, platformContext } from "./platform-context";
import { ArgocdApps } from "./argocd-apps";
import { BlackboxExporter } from "./blackbox-exporter";
import { Calico } from "./calico";
import { CertManager } from "./cert-manager";
import { KubePrometheusStack } from "./kube-prometheus-stack";
import { Kyverno } from "./kyverno";
import { PlatformNamespaces, type PlatformReleaseNamespace } from "./namespaces";
import { PlatformNetworkPolicies } from "./platform-network-policies";
import { CHARTS } from "./chart-versions";
import { PodNetworkGate } from "./pod-network-gate";
import { RookCephCluster } from "./rook-ceph-cluster";
import { RookCephOperator } from "./rook-ceph";
import { SnapshotController } from "./snapshot-controller";
import { Traefik } from "./traefik";
import { TraefikCrds } from "./traefik-crds";
import { PeopleAccess } from "./people-access";
import { FluentBit } from "./fluent-bit";
import { logPipelineAlertRules } from "./log-alert-rules";
import { Loki, lokiServices } from "./loki";
import type { ObjectStoreCredentials } from "../backups/object-store-credentials";
import { InClusterObjectStore } from "./object-store";
import type { PlatformCa } from "./platform-ca";
import { Velero } from "./velero";
import { veleroAlertRules } from "./velero-alert-rules";

export interface PlatformProps {
  /** What `validateEnvironment` returned (it checks the platform too). */
  readonly config: ValidatedEnvironment;
  /** The API readiness gate: nothing is installed before the API server answers. */
  readonly readiness: ITerraformDependable;
  /**
   * How the pod network gate reaches the API server: endpoint, cluster CA and Terraform's admin client
   * certificate (`KubeadmCluster.connection`). The key stays a Terraform value (sensitive environment).
   */
  readonly connection: ClusterConnection;
  /** The backups/logs object store and its S3 keys (KubernetesEnvironment.objectStore): Velero, Loki, and in-cluster Rook. */
  readonly objectStore: ObjectStoreCredentials;
  /**
   * The CA behind the platform's certificates (KubernetesEnvironment.platformCa): cert-manager signs with it, the
   * blackbox exporter and Velero trust it. The same instance KubeadmCluster gets: two would declare the site CA
   * variables twice.
   */
  readonly platformCa: PlatformCa;
}

/**
 * Every add-on, wired in install order, each after its namespace and that namespace's NetworkPolicies. The
 * construct ids below are part of the public contract: they are Terraform addresses, renaming one uninstalls
 * and reinstalls that release.
 *
 *   gate → calico (crds → operator) → pod network gate → rook-ceph → rook-ceph-cluster ─┐
 *                                                   └→ snapshot-controller ─┘ (VolumeSnapshot CRDs before the class)
 *                                                   └→ cert-manager → cluster-issuer   │
 *                      ├→ traefik-public, traefik-admin               ├→ kube-prometheus-stack → blackbox-exporter
 *                      └→ argo-cd (after traefik-admin) → argocd-apps ┘
 *                                                    kube-prometheus-stack → kyverno → admission-policies
 *                                                    kube-prometheus-stack → loki → fluent-bit (loki after the object store too)
 *   rook-ceph-cluster → object-store (in-cluster S3, sandbox/dev) ─┐   kube-prometheus-stack → velero
 *                                                                   └────────────────────────────┘
 *   snapshot-controller, rook-ceph-cluster (VolumeSnapshotClass) → velero (CSI snapshots)
 *
 * traefik-crds (after the pod network gate) comes before both Traefik releases, which skip their chart's CRDs.
 * cert-manager comes before everything with an Ingress or a Certificate: Traefik's default certificate is a
 * Certificate, and every UI Ingress names the ClusterIssuer.
 *
 * Kyverno comes last: platform namespaces are outside its webhook, so nothing above waits for it, and its
 * ServiceMonitors need kube-prometheus-stack's CRDs. Tenant workloads arrive later (Argo CD syncs); what existed
 * before the policies is judged by Kyverno's background scans (PolicyReports).
 *
 * Terraform destroys in reverse: argocd-apps before argo-cd (Applications before their controller),
 * rook-ceph-cluster before rook-ceph (CephCluster before its operator), monitoring before the storage it
 * uses, everything before Calico; every namespace (and its policies) after the releases in it.
 */
export class Platform extends Construct {
  /** What every add-on was given: build your own add-ons (or a different set) from the same context. */
  readonly context: PlatformContext;
  /** The platform namespaces with their Pod Security labels (Terraform owns them, not Helm). */
  readonly namespaces: PlatformNamespaces;
  /** @default undefined when `security.networkPolicies` is false */
  readonly networkPolicies?: PlatformNetworkPolicies;
  readonly calico: Calico;
  /** Passes once tigerastatus/calico is Available: every release after Calico waits for it. */
  readonly podNetwork: PodNetworkGate;
  readonly certManager: CertManager;
  /** Traefik's CRDs, upgraded with the pinned traefik chart; both Traefik releases skip their own. */
  readonly traefikCrds: TraefikCrds;
  readonly traefikPublic: Traefik;
  readonly traefikAdmin: Traefik;
  readonly rookCeph: RookCephOperator;
  readonly rookCephCluster: RookCephCluster;
  /** The VolumeSnapshot CRDs and the snapshot controller (Velero's CSI snapshots of Ceph volumes). */
  readonly snapshotController: SnapshotController;
  readonly argoCd: ArgoCd;
  readonly argocdApps: ArgocdApps;
  readonly monitoring: KubePrometheusStack;
  readonly blackboxExporter: BlackboxExporter;
  /** Kyverno and the tenant admission policies (`security.admissionPolicies`). */
  readonly kyverno: Kyverno;
  /** The Ceph object store at s3.<domain> (only when `objectStoreSettings(env).kind` is in-cluster). */
  readonly objectStore?: InClusterObjectStore;
  /** Backups of tenant namespaces and platform state to the object store. */
  readonly velero: Velero;
  /** Directory groups bound to cluster roles, and the web client's secret (only with `security.oidc`). */
  readonly people?: PeopleAccess;
  /** @default undefined when `logs` is false */
  readonly loki?: Loki;
  /** @default undefined when `logs` is false */
  readonly fluentBit?: FluentBit;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const context = platformContext(props.config);
    this.context = context;
    const gate = props.readiness;
    this.namespaces = new PlatformNamespaces(this, "namespaces", { context, dependsOn: [gate] });
    if (securitySettings(props.config).networkPolicies) {
      this.networkPolicies = new PlatformNetworkPolicies(this, "network-policies", { context, namespaces: this.namespaces.namespaces });
    }
    // A release's home: its namespace and, when on, the namespace's policies (its pods start under the final rules).
    const home = (ns: PlatformReleaseNamespace): ITerraformDependable[] => [this.namespaces.namespaces[ns], ...(this.networkPolicies?.byNamespace[ns] ?? [])];
    this.calico = new Calico(this, "calico", { context, dependsOn: [gate, ...home("tigera-operator")] });
    // Nothing but host-network pods runs before the CNI, and the operator release is done long before the
    // CNI is (calico-node images still pulling): everything below waits until Calico reports Available.
    this.podNetwork = new PodNetworkGate(this, "pod-network-ready", {
      connection: props.connection,
      dependsOn: [gate, this.calico.operator.release],
      calicoVersion: CHARTS.tigeraOperator.version,
      // A Calico upgrade rolls calico-node: the releases that follow in the same apply wait for it again.
      triggers: { calico_version: CHARTS.tigeraOperator.version },
    });
    const network = [gate, this.calico.operator.release, this.podNetwork.resource];
    this.certManager = new CertManager(this, "cert-manager", { context, platformCa: props.platformCa, dependsOn: [...network, ...home("cert-manager")] });
    // Certificates need cert-manager's CRDs and webhook and are issued by the ClusterIssuer; on destroy they go first.
    const tls = [this.certManager.addon.release, this.certManager.issuer.release];
    this.traefikCrds = new TraefikCrds(this, "traefik-crds", { context, dependsOn: [...network, ...home("traefik-public")] });
    const ingress = [...network, ...tls, this.traefikCrds.addon.release];
    this.traefikPublic = new Traefik(this, "traefik-public", { context, ingressClass: "public", dependsOn: [...ingress, ...home("traefik-public")] });
    this.traefikAdmin = new Traefik(this, "traefik-admin", { context, ingressClass: "admin", dependsOn: [...ingress, ...home("traefik-admin")] });
    const inCluster = props.objectStore.settings.kind === "in-cluster";
    this.rookCeph = new RookCephOperator(this, "rook-ceph", { context, dependsOn: [...network, ...home("rook-ceph")], bucketOwnerClaims: inCluster });
    this.snapshotController = new SnapshotController(this, "snapshot-controller", { context, dependsOn: [...network, ...home("snapshot-controller")] });
    this.rookCephCluster = new RookCephCluster(this, "rook-ceph-cluster", {
      context,
      // The snapshot controller's CRDs first: the cluster chart renders the block pool's VolumeSnapshotClass.
      dependsOn: [...network, ...home("rook-ceph"), this.rookCeph.addon.release, this.snapshotController.addon.release],
    });
    const adminIngress = this.traefikAdmin.addon.release;
    const { oidc } = securitySettings(props.config);
    this.people = oidc && new PeopleAccess(this, "people", { oidc, dependsOn: [gate] });
    const sso = { oidc, oidcClientSecret: this.people?.webClientSecret };
    this.argoCd = new ArgoCd(this, "argo-cd", { context, dependsOn: [...network, ...tls, ...home("argocd"), adminIngress], ...sso });
    this.argocdApps = new ArgocdApps(this, "argocd-apps", {
      context,
      dependsOn: [...network, ...home("argocd"), this.argoCd.addon.release],
      tenantNamespaces: tenantSettings(props.config).flatMap((t) => t.stages.map((s) => s.namespace)),
    });
    this.monitoring = new KubePrometheusStack(this, "kube-prometheus-stack", {
      context,
      dependsOn: [...network, ...tls, ...home("monitoring"), adminIngress, this.rookCephCluster.addon.release],
      ...sso,
      // Velero is always installed (below); its alerts live with the other rules.
      extraAlertRules: { "velero-alerts": veleroAlertRules(), ...(context.logs ? { "log-pipeline-alerts": logPipelineAlertRules() } : {}) },
      ...(context.logs
        ? { dataSources: [{ name: "Loki", type: "loki", uid: "loki", access: "proxy", url: lokiServices(context).query, jsonData: { maxLines: 1000 } }] }
        : {}),
    });
    this.blackboxExporter = new BlackboxExporter(this, "blackbox-exporter", {
      context,
      dependsOn: [...network, ...home("monitoring"), this.monitoring.addon.release],
      trustedCaPem: this.certManager.trustedCaPem,
      uiAuth: this.monitoring.uiAuth,
    });
    this.kyverno = new Kyverno(this, "kyverno", {
      context,
      policies: securitySettings(props.config).admissionPolicies,
      dependsOn: [...network, ...home("kyverno"), this.monitoring.addon.release],
    });
    if (inCluster) {
      this.objectStore = new InClusterObjectStore(this, "object-store", {
        context,
        objectStore: props.objectStore,
        dependsOn: [...network, ...tls, ...home("rook-ceph"), this.rookCephCluster.addon.release],
      });
    }
    this.velero = new Velero(this, "velero", {
      context,
      objectStore: props.objectStore,
      tenantNamespaces: tenantSettings(props.config).flatMap((t) => t.stages.map((s) => s.namespace)),
      // In-cluster, s3.<domain> carries the platform issuer's certificate.
      caPem: inCluster ? this.certManager.trustedCaPem : props.objectStore.settings.caPem,
      dependsOn: [
        ...network,
        ...home("velero"),
        this.monitoring.addon.release,
        // CSI snapshots: the CRDs and controller, and the VolumeSnapshotClass (rook-ceph-cluster) Velero picks by label.
        this.snapshotController.addon.release,
        this.rookCephCluster.addon.release,
        ...(this.objectStore ? [this.objectStore.addon.release] : []),
      ],
    });
    if (context.logs) {
      // After kube-prometheus-stack (ServiceMonitor CRD) and the Ceph cluster (volumes; the in-cluster object store).
      this.loki = new Loki(this, "loki", {
        context,
        logs: context.logs,
        objectStore: props.objectStore,
        dependsOn: [...network, ...home("logging"), this.monitoring.addon.release, this.rookCephCluster.addon.release, ...(this.objectStore ? [this.objectStore.addon.release] : [])],
      });
      this.fluentBit = new FluentBit(this, "fluent-bit", {
        context,
        logs: context.logs,
        lokiPushUrl: lokiServices(context).push,
        dependsOn: [...network, ...home("logging"), this.monitoring.addon.release, this.loki.addon.release],
      });
    }
  }
}
