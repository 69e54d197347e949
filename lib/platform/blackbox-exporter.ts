import { Fn, ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { PLATFORM_DEFAULTS } from "../config/defaults";
import type { PlatformConfig } from "../config/platform";
import type { ImageField } from "./air-gap";
import { PROBE_JOB } from "./alert-rules";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon, SensitiveValue } from "./helm-addon";
import { NAMESPACE, uiHost } from "./names";

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

/** Every URL the platform exposes through ingress (platform UIs on the admin class, plus extras). */
export function probedUrls(platform: PlatformConfig): string[] {
  const scheme = platform.urlScheme ?? PLATFORM_DEFAULTS.urlScheme;
  const uis = (["argocd", "grafana", "prometheus", "alertmanager"] as const).map((app) => `${scheme}://${uiHost(app, platform.domain)}/`);
  return [...uis, ...(platform.monitoring.extraProbeUrls ?? [])];
}

/** The Probe custom resources (monitoring.coreos.com/v1) the release deploys as extraManifests. */
export function probeManifests(context: PlatformContext): Record<string, unknown>[] {
  return [
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Probe",
      metadata: { name: "platform-urls", namespace: NAMESPACE.monitoring },
      spec: {
        jobName: PROBE_JOB,
        interval: "30s",
        module: "http_2xx",
        prober: { url: `${BLACKBOX_RELEASE}.${NAMESPACE.monitoring}.svc:${BLACKBOX_PORT}` },
        targets: { staticConfig: { static: probedUrls(context.platform), labels: { environment: context.environment } } },
      },
    },
  ];
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
    const caSecret = { apiVersion: "v1", kind: "Secret", metadata: { name: PROBE_CA_SECRET, namespace: NAMESPACE.monitoring }, type: "Opaque" };
    const manifests = [...probeManifests(context), ...(ca !== undefined ? [caSecret] : [])];
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
        ...(ca !== undefined
          ? {
              extraSecretMounts: [{ name: "site-ca", mountPath: PROBE_CA_DIR, secretName: PROBE_CA_SECRET, readOnly: true }],
              config: { modules: { http_2xx: { http: { tls_config: { ca_file: PROBE_CA_FILE } } } } },
            }
          : {}),
      },
      images: BLACKBOX_IMAGES,
      overrides: addonOverrides(context, "blackbox-exporter"),
      sensitive,
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
  }
}
