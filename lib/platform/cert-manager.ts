import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { type PlatformConfig, tlsConfig } from "../config/platform";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon, SensitiveValue } from "./helm-addon";
import { ACME_SOLVER_ROUTER_PRIORITY, INGRESS_CLASS, IngressClassName, NAMESPACE } from "./names";
import type { PlatformCa } from "./platform-ca";

/**
 * Every cert-manager image (controller, webhook, cainjector, acmesolver, startupapicheck) is
 * `<imageRegistry>/<imageNamespace>/<component image.name>`; `imageRegistry` may carry a path prefix, so the
 * mirror keeps `jetstack/...` below `<mirror>/quay.io`.
 */
export const CERT_MANAGER_IMAGES: readonly ImageField[] = [{ kind: "registry", path: "imageRegistry", upstream: "quay.io" }];

/** The annotation cert-manager's ingress-shim reads: it creates a Certificate for the Ingress's tls block. */
export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";
/** ingress-shim copies it to the Certificate: HTTP-01 challenges are then served on the Ingress's own class. */
const ACME_SOLVER_CLASS_ANNOTATION = "acme.cert-manager.io/http01-ingress-ingressclassname";
const TRAEFIK_ROUTER_PRIORITY_ANNOTATION = "traefik.ingress.kubernetes.io/router.priority";

/** Secret (in cert-manager's namespace) holding the site CA that the `ca` ClusterIssuer signs with. */
export const SITE_CA_SECRET = "site-ca";
/** Secret Traefik's default TLSStore serves: the `*.<domain>` certificate, one copy per Traefik namespace. */
export const DEFAULT_CERTIFICATE_SECRET = "default-certificate";

/** The ClusterIssuer's name: named after its kind, so switching ca <-> acme re-issues every certificate. */
export function clusterIssuerName(platform: PlatformConfig): string {
  return `site-${tlsConfig(platform).issuer}`;
}

/** Annotations every platform Ingress carries so cert-manager issues the certificate of its tls block. */
export function ingressTlsAnnotations(platform: PlatformConfig, ingressClass: IngressClassName): Record<string, string> {
  return {
    [CLUSTER_ISSUER_ANNOTATION]: clusterIssuerName(platform),
    ...(tlsConfig(platform).issuer === "acme" ? { [ACME_SOLVER_CLASS_ANNOTATION]: ingressClass } : {}),
  };
}

/** Reference to the platform's ClusterIssuer, as Certificate.spec.issuerRef takes it. */
export function issuerRef(platform: PlatformConfig): { group: string; kind: string; name: string } {
  return { group: "cert-manager.io", kind: "ClusterIssuer", name: clusterIssuerName(platform) };
}

/**
 * The Certificate behind Traefik's default TLSStore in one Traefik namespace: `*.<domain>` (and the domain
 * itself) from the site CA. Only for the `ca` issuer: HTTP-01 (ACME) cannot prove a wildcard.
 */
export function defaultCertificate(platform: PlatformConfig, namespace: string): Record<string, unknown> | undefined {
  if (tlsConfig(platform).issuer !== "ca") return undefined;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: DEFAULT_CERTIFICATE_SECRET, namespace },
    spec: {
      secretName: DEFAULT_CERTIFICATE_SECRET,
      dnsNames: [`*.${platform.domain}`, platform.domain],
      issuerRef: issuerRef(platform),
    },
  };
}

/** The ClusterIssuer (and the CA Secret it reads) as the `cluster-issuer` release renders them. */
export function issuerManifests(platform: PlatformConfig): Record<string, unknown>[] {
  const tls = tlsConfig(platform);
  const metadata = { name: clusterIssuerName(platform) };
  if (tls.issuer === "ca") {
    return [
      // Data only through set_sensitive (CertManager below): never in values, plans or cdk.tf.json.
      { apiVersion: "v1", kind: "Secret", metadata: { name: SITE_CA_SECRET, namespace: NAMESPACE.certManager }, type: "kubernetes.io/tls" },
      { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata, spec: { ca: { secretName: SITE_CA_SECRET } } },
    ];
  }
  return [
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata,
      spec: {
        acme: {
          server: tls.server,
          email: tls.email,
          // cert-manager generates the ACME account key into this Secret (cluster resource namespace).
          privateKeySecretRef: { name: `${clusterIssuerName(platform)}-account` },
          ...(tls.caPem !== undefined ? { caBundle: Buffer.from(tls.caPem).toString("base64") } : {}),
          // Default class for applications; platform Ingresses name their own class (ingressTlsAnnotations).
          // Above Traefik's HTTP -> HTTPS redirect, so the challenge is answered on port 80 (names.ts).
          solvers: [
            {
              http01: {
                ingress: {
                  ingressClassName: INGRESS_CLASS.public,
                  ingressTemplate: { metadata: { annotations: { [TRAEFIK_ROUTER_PRIORITY_ANNOTATION]: String(ACME_SOLVER_ROUTER_PRIORITY) } } },
                },
              },
            },
          ],
        },
      },
    },
  ];
}

export interface CertManagerProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** The readiness gate and the CNI (the webhook is a pod the API server must reach). */
  readonly dependsOn: readonly ITerraformDependable[];
  /** The issuer's CA (KubernetesEnvironment.platformCa): with `ca`, the site CA variables the ClusterIssuer signs with. */
  readonly platformCa: PlatformCa;
}

/**
 * cert-manager and the platform's ClusterIssuer, in two releases:
 * - `cert-manager` (jetstack chart) with its CRDs (`crds.enabled`, kept on uninstall: deleting them would
 *   garbage-collect every Certificate of every application). `wait` + the chart's startupapicheck hook make the
 *   release finish only once the webhook answers.
 * - `cluster-issuer` (bedag `raw` chart): the ClusterIssuer and, for `ca`, the Secret with the site CA. A release
 *   of its own because custom resources cannot be in the release that creates their CRD (Helm fails with "no
 *   matches for kind ClusterIssuer") and cert-manager's webhook must be up before it accepts them.
 * The CA certificate and key come from the sensitive variables of PlatformCa, base64-encoded by Terraform into the
 * Secret's `data` through set_sensitive only.
 */
export class CertManager extends Construct {
  readonly addon: HelmAddon;
  readonly issuer: HelmAddon;
  /**
   * PEM of the CA that signs the platform's certificates, for clients that must trust it (the blackbox
   * exporter): a Terraform reference to the sensitive variable (`ca`), the configured caPem (`acme`), or
   * undefined (ACME with the system trust store).
   */
  readonly trustedCaPem?: string;

  constructor(scope: Construct, id: string, props: CertManagerProps) {
    super(scope, id);
    const { context } = props;
    const tls = tlsConfig(context.platform);

    this.addon = new HelmAddon(this, "helm", {
      releaseName: "cert-manager",
      chart: CHARTS.certManager,
      namespace: NAMESPACE.certManager,
      mirror: context.mirror,
      // One replica each: cert-manager is off the request path (an outage delays renewals, which start 30 days
      // before expiry) and its webhook only guards cert-manager's own resources.
      defaults: { crds: { enabled: true, keep: true } },
      images: CERT_MANAGER_IMAGES,
      overrides: addonOverrides(context, "cert-manager"),
      timeoutSeconds: 600,
      dependsOn: props.dependsOn,
    });

    const { platformCa } = props;
    if (platformCa.issuer !== tls.issuer) throw new Error(`${this.node.path}: platformCa is for the "${platformCa.issuer}" issuer but platform.tls.issuer is "${tls.issuer}": create PlatformCa from the same config`);
    this.trustedCaPem = platformCa.certPem;
    const sensitive: SensitiveValue[] = [];
    if (platformCa.certPem !== undefined && platformCa.keyPem !== undefined) {
      // Secret data is base64 (no "," or "\" that Helm's --set parser would split on); "\." keeps the key's dot.
      sensitive.push(
        { path: "resources[0].data.tls\\.crt", value: Fn.base64encode(platformCa.certPem) },
        { path: "resources[0].data.tls\\.key", value: Fn.base64encode(platformCa.keyPem) },
      );
    }

    this.issuer = new HelmAddon(this, "issuer", {
      releaseName: "cluster-issuer",
      chart: CHARTS.raw,
      namespace: NAMESPACE.certManager,
      mirror: context.mirror,
      defaults: {},
      environment: { resources: issuerManifests(context.platform) },
      overrides: addonOverrides(context, "cluster-issuer"),
      sensitive,
      timeoutSeconds: 300,
      dependsOn: [...props.dependsOn, this.addon.release],
    });
  }
}
