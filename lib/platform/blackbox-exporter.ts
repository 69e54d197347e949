import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PLATFORM_DEFAULTS } from "../config/defaults";
import type { PlatformConfig } from "../config/platform";
import type { ImageField } from "./air-gap";
import { PROBE_JOB } from "./alert-rules";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon } from "./helm-addon";
import { NAMESPACE, uiHost } from "./names";

export const BLACKBOX_IMAGES: readonly ImageField[] = [
  { kind: "registry", path: "image.registry", upstream: "quay.io" },
  { kind: "registry", path: "configReloader.image.registry", upstream: "quay.io" },
];

/** Release name = chart name, so the chart's fullname (and Service) is exactly this. */
export const BLACKBOX_RELEASE = "prometheus-blackbox-exporter";
const BLACKBOX_PORT = 9115;

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
}

/**
 * prometheus-blackbox-exporter plus the Probes of every URL exposed through ingress; Prometheus selects
 * all Probes (probeSelectorNilUsesHelmValues: false in kube-prometheus-stack) and HttpProbeFailed fires.
 */
export class BlackboxExporter extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id);
    const { context } = props;
    this.addon = new HelmAddon(this, "helm", {
      releaseName: BLACKBOX_RELEASE,
      chart: CHARTS.blackboxExporter,
      namespace: NAMESPACE.monitoring,
      mirror: context.mirror,
      defaults: {},
      environment: { extraManifests: probeManifests(context) },
      images: BLACKBOX_IMAGES,
      overrides: addonOverrides(context, "blackbox-exporter"),
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
  }
}
