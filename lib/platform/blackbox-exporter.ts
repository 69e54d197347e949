import { Fn, ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { type PlatformConfig, urlScheme } from "../config/platform";
import type { ImageField } from "./air-gap";
import { API_SERVER_PROBE_JOB, PROBE_JOB } from "./alert-rules";
import { API_SERVER_PORT } from "../config/defaults";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon, SensitiveValue } from "./helm-addon";
import { NAMESPACE, uiHost, type PlatformUi } from "./names";
import { ADMIN_UI_PROBE_SECRET, ADMIN_UI_USER, type AdminUiAuth } from "./admin-ui-auth";

export const BLACKBOX_IMAGES: readonly ImageField[] = [
  { kind: "registry", path: "image.registry", upstream: "quay.io" },
  { kind: "registry", path: "configReloader.image.registry", upstream: "quay.io" },
];

/** Release name = chart name, so the chart's fullname (and Service) is exactly this. */
export const BLACKBOX_RELEASE = "prometheus-blackbox-exporter";
const BLACKBOX_PORT = 9115;
/** Secret (in monitoring) with the CA the probes trust, and where it is mounted. Key without a dot: no --set escaping. */
export const PROBE_CA_SECRET = "blackbox-site-ca";
const PROBE_CA_DIR = "/etc/blackbox/site-ca";
export const PROBE_CA_FILE = `${PROBE_CA_DIR}/ca`;

/**
 * The cluster CA every namespace gets from Kubernetes (ConfigMap kube-root-ca.crt, key ca.crt), mounted so
 * the API server probes verify kubeadm's serving certificates against it: nothing from Terraform needed.
 */
const CLUSTER_CA_DIR = "/etc/blackbox/kube-root-ca";
/** https to an API server, verified with the cluster CA; /livez answers anonymously (ANONYMOUS_PATHS). */
export const API_SERVER_PROBE_MODULE = "https_kube_apiserver";

/** The UIs behind Traefik's basic auth (admin-ui-auth.ts): probed with the credential. */
export const GUARDED_UIS: readonly PlatformUi[] = ["prometheus", "alertmanager"];
/** The http_2xx module plus the basic-auth credential, for the guarded UIs. */
export const GUARDED_PROBE_MODULE = "http_2xx_admin_ui";
const PROBE_CREDENTIAL_DIR = "/etc/blackbox/admin-ui";
export const PROBE_PASSWORD_FILE = `${PROBE_CREDENTIAL_DIR}/password`;

function uiUrl(platform: PlatformConfig, app: PlatformUi): string {
  return `${urlScheme(platform)}://${uiHost(app, platform.domain)}/`;
}

/** Every URL the platform exposes through ingress (platform UIs on the admin class, plus extras). */
export function probedUrls(platform: PlatformConfig): string[] {
  const uis = (["argocd", "grafana", "prometheus", "alertmanager"] as const).map((app) => uiUrl(platform, app));
  return [...uis, ...(platform.monitoring.extraProbeUrls ?? [])];
}

/**
 * The Probe custom resources (monitoring.coreos.com/v1) the release deploys as extraManifests. With
 * `guarded`, the basic-auth UIs get a Probe of their own with GUARDED_PROBE_MODULE: a 2xx then proves the
 * route, the certificate, the Middleware taking the credential and the backend, all the way a person goes.
 */
export function probeManifests(context: PlatformContext, guarded = false): Record<string, unknown>[] {
  const guardedUrls = guarded ? GUARDED_UIS.map((app) => uiUrl(context.platform, app)) : [];
  const probe = (name: string, module: string, urls: string[]) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: { name, namespace: NAMESPACE.monitoring },
    spec: {
      jobName: PROBE_JOB,
      interval: "30s",
      module,
      prober: { url: `${BLACKBOX_RELEASE}.${NAMESPACE.monitoring}.svc:${BLACKBOX_PORT}` },
      targets: { staticConfig: { static: urls, labels: { environment: context.environment } } },
    },
  });
  return [
    probe("platform-urls", "http_2xx", probedUrls(context.platform).filter((url) => !guardedUrls.includes(url))),
    ...(guarded ? [probe("platform-guarded-urls", GUARDED_PROBE_MODULE, guardedUrls)] : []),
    apiServerProbe(context),
  ];
}

/**
 * Every control-plane node's API server, not the VIP: each node serves its own kubeadm certificate, renewed
 * by its own timer, so each one's expiry is read (probe_ssl_earliest_cert_expiry, KubeadmCertificateRenewalOverdue).
 */
export function apiServerProbe(context: PlatformContext): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: { name: "kubernetes-api-servers", namespace: NAMESPACE.monitoring },
    spec: {
      jobName: API_SERVER_PROBE_JOB,
      interval: "5m",
      module: API_SERVER_PROBE_MODULE,
      prober: { url: `${BLACKBOX_RELEASE}.${NAMESPACE.monitoring}.svc:${BLACKBOX_PORT}` },
      targets: {
        staticConfig: {
          static: context.controlPlaneIps.map((ip) => `https://${ip}:${API_SERVER_PORT}/livez`),
          labels: { environment: context.environment },
        },
      },
    },
  };
}

export interface BlackboxExporterProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Must include kube-prometheus-stack: the Probe CRD comes with it. */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * PEM (or a Terraform reference to one) of the CA that signs the probed URLs' certificates, e.g.
   * `CertManager.trustedCaPem`: the http_2xx module verifies against it.
   * @default the image's system trust store
   */
  readonly trustedCaPem?: string;
  /**
   * The basic auth in front of Prometheus and Alertmanager (KubePrometheusStack.uiAuth): their probes log in
   * with its credential, read from its Secret.
   * @default the UIs are probed without a credential
   */
  readonly uiAuth?: AdminUiAuth;
}

/**
 * prometheus-blackbox-exporter plus the Probes of every URL exposed through ingress; Prometheus selects
 * all Probes (probeSelectorNilUsesHelmValues: false in kube-prometheus-stack) and HttpProbeFailed fires.
 * Certificates are verified (never insecure_skip_verify: an expired or wrong certificate must alert), against the
 * site CA when one is given: a Secret from extraManifests, mounted, named in http_2xx's tls_config.ca_file.
 */
export class BlackboxExporter extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id);
    const { context } = props;
    const ca = props.trustedCaPem;
    const guarded = props.uiAuth !== undefined;
    const caSecret = { apiVersion: "v1", kind: "Secret", metadata: { name: PROBE_CA_SECRET, namespace: NAMESPACE.monitoring }, type: "Opaque" };
    const manifests = [...probeManifests(context, guarded), ...(ca !== undefined ? [caSecret] : [])];
    const tlsConfig = ca !== undefined ? { tls_config: { ca_file: PROBE_CA_FILE } } : {};
    const configMapMounts = [{ name: "kube-root-ca", mountPath: CLUSTER_CA_DIR, configMap: "kube-root-ca.crt", readOnly: true }];
    const mounts = [
      ...(ca !== undefined ? [{ name: "site-ca", mountPath: PROBE_CA_DIR, secretName: PROBE_CA_SECRET, readOnly: true }] : []),
      ...(guarded ? [{ name: "admin-ui", mountPath: PROBE_CREDENTIAL_DIR, secretName: ADMIN_UI_PROBE_SECRET, readOnly: true }] : []),
    ];
    const modules = {
      ...(ca !== undefined ? { http_2xx: { http: tlsConfig } } : {}),
      [API_SERVER_PROBE_MODULE]: {
        prober: "http",
        timeout: "5s",
        http: { valid_status_codes: [200], preferred_ip_protocol: "ip4", tls_config: { ca_file: `${CLUSTER_CA_DIR}/ca.crt` } },
      },
      // A module of its own (Helm merges maps, but a new key gets nothing from http_2xx): the chart's http_2xx
      // settings, the CA, and the credential read from the mounted Secret (never in the values).
      ...(guarded
        ? {
            [GUARDED_PROBE_MODULE]: {
              prober: "http",
              timeout: "5s",
              http: {
                valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
                follow_redirects: true,
                preferred_ip_protocol: "ip4",
                basic_auth: { username: ADMIN_UI_USER, password_file: PROBE_PASSWORD_FILE },
                ...tlsConfig,
              },
            },
          }
        : {}),
    };
    // The PEM may be a sensitive variable: only through set_sensitive, base64 (Secret data; nothing --set splits on).
    const base64 = (pem: string) => (Token.isUnresolved(pem) ? Fn.base64encode(pem) : Buffer.from(pem).toString("base64"));
    const sensitive: SensitiveValue[] = ca !== undefined ? [{ path: `extraManifests[${manifests.length - 1}].data.ca`, value: base64(ca) }] : [];
    this.addon = new HelmAddon(this, "helm", {
      releaseName: BLACKBOX_RELEASE,
      chart: CHARTS.blackboxExporter,
      namespace: NAMESPACE.monitoring,
      mirror: context.mirror,
      defaults: {},
      environment: {
        extraManifests: manifests,
        ...(mounts.length > 0 ? { extraSecretMounts: mounts } : {}),
        extraConfigmapMounts: configMapMounts,
        config: { modules },
      },
      images: BLACKBOX_IMAGES,
      overrides: addonOverrides(context, "blackbox-exporter"),
      sensitive,
      timeoutSeconds: 300,
      // The pod mounts the credential Secret: it must exist before the pod starts.
      dependsOn: [...props.dependsOn, ...(props.uiAuth ? [props.uiAuth.probeCredential] : [])],
    });
  }
}
