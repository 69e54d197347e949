import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ValidatedEnvironment } from "../config/types";
import { ArgoCd } from "./argo-cd";
import { type PlatformContext, platformContext } from "./platform-context";
import { ArgocdApps } from "./argocd-apps";
import { BlackboxExporter } from "./blackbox-exporter";
import { Calico } from "./calico";
import { CertManager } from "./cert-manager";
import { KubePrometheusStack } from "./kube-prometheus-stack";
import { RookCephCluster } from "./rook-ceph-cluster";
import { RookCephOperator } from "./rook-ceph";
import { Traefik } from "./traefik";

export interface PlatformProps {
  /** What `validateEnvironment` returned (it checks the platform too). */
  readonly config: ValidatedEnvironment;
  /** The API readiness gate: nothing is installed before the API server answers. */
  readonly readiness: ITerraformDependable;
}

/**
 * Every add-on, wired in install order. The construct ids below are part of the public contract: they are
 * Terraform addresses, renaming one uninstalls and reinstalls that release.
 *
 *   gate → calico (crds → operator) → rook-ceph → rook-ceph-cluster ─┐
 *                 └→ cert-manager → cluster-issuer                    │
 *                      ├→ traefik-public, traefik-admin               ├→ kube-prometheus-stack → blackbox-exporter
 *                      └→ argo-cd (after traefik-admin) → argocd-apps ┘
 *
 * cert-manager comes before everything with an Ingress or a Certificate: Traefik's default certificate is a
 * Certificate, and every UI Ingress names the ClusterIssuer.
 *
 * Terraform destroys in reverse: argocd-apps before argo-cd (Applications before their controller),
 * rook-ceph-cluster before rook-ceph (CephCluster before its operator), monitoring before the storage it
 * uses, everything before Calico.
 */
export class Platform extends Construct {
  /** What every add-on was given: build your own add-ons (or a different set) from the same context. */
  readonly context: PlatformContext;
  readonly calico: Calico;
  readonly certManager: CertManager;
  readonly traefikPublic: Traefik;
  readonly traefikAdmin: Traefik;
  readonly rookCeph: RookCephOperator;
  readonly rookCephCluster: RookCephCluster;
  readonly argoCd: ArgoCd;
  readonly argocdApps: ArgocdApps;
  readonly monitoring: KubePrometheusStack;
  readonly blackboxExporter: BlackboxExporter;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const context = platformContext(props.config);
    this.context = context;
    const gate = props.readiness;
    this.calico = new Calico(this, "calico", { context, dependsOn: [gate] });
    // Nothing but host-network pods runs before the CNI: everything below waits for it.
    const network = [gate, this.calico.operator.release];
    this.certManager = new CertManager(this, "cert-manager", { context, dependsOn: network });
    // Certificates need cert-manager's CRDs and webhook and are issued by the ClusterIssuer; on destroy they go first.
    const tls = [this.certManager.addon.release, this.certManager.issuer.release];
    this.traefikPublic = new Traefik(this, "traefik-public", { context, ingressClass: "public", dependsOn: [...network, ...tls] });
    this.traefikAdmin = new Traefik(this, "traefik-admin", { context, ingressClass: "admin", dependsOn: [...network, ...tls] });
    this.rookCeph = new RookCephOperator(this, "rook-ceph", { context, dependsOn: network });
    this.rookCephCluster = new RookCephCluster(this, "rook-ceph-cluster", {
      context,
      dependsOn: [...network, this.rookCeph.addon.release],
    });
    const adminIngress = this.traefikAdmin.addon.release;
    this.argoCd = new ArgoCd(this, "argo-cd", { context, dependsOn: [...network, ...tls, adminIngress] });
    this.argocdApps = new ArgocdApps(this, "argocd-apps", { context, dependsOn: [...network, this.argoCd.addon.release] });
    this.monitoring = new KubePrometheusStack(this, "kube-prometheus-stack", {
      context,
      dependsOn: [...network, ...tls, adminIngress, this.rookCephCluster.addon.release],
    });
    this.blackboxExporter = new BlackboxExporter(this, "blackbox-exporter", {
      context,
      dependsOn: [...network, this.monitoring.addon.release],
      trustedCaPem: this.certManager.trustedCaPem,
    });
  }
}
