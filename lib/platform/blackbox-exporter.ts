import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/types";
import type { ImageField } from "./air-gap";
import { PROBE_JOB } from "./alert-rules";
import { CHARTS } from "./chart-versions";
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
export function probedUrls(env: EnvironmentConfig): string[] {
  const scheme = env.platform.urlScheme ?? "https";
  const uis = (["argocd", "grafana", "prometheus", "alertmanager"] as const).map((app) => `${scheme}://${uiHost(app, env.platform.domain)}/`);
  return [...uis, ...(env.platform.monitoring.extraProbeUrls ?? [])];
}

/** The Probe custom resources (monitoring.coreos.com/v1) the release deploys as extraManifests. */
export function probeManifests(env: EnvironmentConfig): Record<string, unknown>[] {
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
        targets: { staticConfig: { static: probedUrls(env), labels: { environment: env.name } } },
      },
    },
  ];
}

export interface BlackboxExporterProps {
  readonly env: EnvironmentConfig;
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
    const { env } = props;
    this.addon = new HelmAddon(this, "helm", {
      releaseName: BLACKBOX_RELEASE,
      chart: CHARTS.blackboxExporter,
      namespace: NAMESPACE.monitoring,
      mirror: env.registryMirror,
      defaults: {},
      environment: { extraManifests: probeManifests(env) },
      images: BLACKBOX_IMAGES,
      overrides: env.platform.overrides?.["blackbox-exporter"],
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
  }
}
