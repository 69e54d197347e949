import { Password } from "@cdktf/provider-random/lib/password";
import { ITerraformDependable, TerraformOutput, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { type AlertReceiverConfig, type MonitoringConfig, type PlatformConfig, urlScheme } from "../config/platform";
import { PLATFORM_DEFAULTS } from "../config/defaults";
import type { ImageField } from "./air-gap";
import { platformAlertRules, type RuleGroup } from "./alert-rules";
import { etcdBackupAlertRules } from "../backups/etcd-backup-alerts";
import { NODE_EXPORTER_TEXTFILE_DIR } from "../backups/etcd-snapshot";

/** kube-prometheus-stack's own `prometheus-node-exporter.extraArgs` (a list: setting it replaces them, so they are repeated). */
export const NODE_EXPORTER_CHART_ARGS = [
  "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
  "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$",
] as const;
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon, SensitiveValue } from "./helm-addon";
import { CEPH_BLOCK_STORAGE_CLASS, INGRESS_CLASS, NAMESPACE, uiHost, uiTlsSecret } from "./names";
import { ingressTlsAnnotations } from "./cert-manager";
import { deepMerge } from "./values";
import { AdminUiAuth, adminUiAuthAnnotations, adminUiMiddleware } from "./admin-ui-auth";
import { GRAFANA_CLIENT_SECRET_ENV, grafanaOidcCaConfigMap, grafanaOidcValues, type OidcSettings } from "./oidc-sso";

export const KUBE_PROMETHEUS_STACK_IMAGES: readonly ImageField[] = [
  { kind: "registry", path: "alertmanager.alertmanagerSpec.image.registry", upstream: "quay.io" },
  { kind: "registry", path: "prometheus.prometheusSpec.image.registry", upstream: "quay.io" },
  { kind: "registry", path: "prometheusOperator.image.registry", upstream: "quay.io" },
  { kind: "registry", path: "prometheusOperator.prometheusConfigReloader.image.registry", upstream: "quay.io" },
  { kind: "registry", path: "prometheusOperator.thanosImage.registry", upstream: "quay.io" },
  { kind: "registry", path: "prometheusOperator.admissionWebhooks.deployment.image.registry", upstream: "quay.io" },
  { kind: "registry", path: "prometheusOperator.admissionWebhooks.patch.image.registry", upstream: "ghcr.io" },
  { kind: "registry", path: "thanosRuler.thanosRulerSpec.image.registry", upstream: "quay.io" },
  { kind: "registry", path: "crds.upgradeJob.image.busybox.registry", upstream: "docker.io" },
  { kind: "registry", path: "crds.upgradeJob.image.kubectl.registry", upstream: "registry.k8s.io" },
  // Subcharts whose values.yaml is not vendored in __tests__/reference/charts (kube-state-metrics 8.4.0, node-exporter 4.56.1):
  // both use image.registry + image.repository (registry.k8s.io/kube-state-metrics/kube-state-metrics,
  // quay.io/prometheus/node-exporter).
  { kind: "registry", path: "kube-state-metrics.image.registry", upstream: "registry.k8s.io" },
  { kind: "registry", path: "prometheus-node-exporter.image.registry", upstream: "quay.io" },
  // Grafana subchart (__tests__/reference/charts/grafana).
  { kind: "registry", path: "grafana.image.registry", upstream: "docker.io" },
  { kind: "registry", path: "grafana.testFramework.image.registry", upstream: "docker.io" },
  { kind: "registry", path: "grafana.downloadDashboardsImage.registry", upstream: "docker.io" },
  { kind: "registry", path: "grafana.initChownData.image.registry", upstream: "docker.io" },
  { kind: "registry", path: "grafana.sidecar.image.registry", upstream: "quay.io" },
  { kind: "registry", path: "grafana.imageRenderer.image.registry", upstream: "docker.io" },
];

/** busybox of the CRD upgrade job (it unpacks the CRDs for kubectl): pinned, see the defaults below. */
export const KPS_CRD_UPGRADE_BUSYBOX_TAG = "1.37.0";

/** kubeadm's control-plane metrics endpoints (ports fixed by kubeadm; issue 3 binds them on the node IP). */
export const CONTROL_PLANE_METRICS = {
  /** etcd `--listen-metrics-urls=http://<ip>:2381`: plain HTTP, no client certificate. */
  etcd: { port: 2381, https: false },
  /** kube-scheduler serves /metrics on its secure port with a self-signed serving certificate. */
  scheduler: { port: 10259, https: true },
  /** kube-controller-manager: same as the scheduler. */
  controllerManager: { port: 10257, https: true },
} as const;

/** Share of Prometheus' volume its TSDB may use (`retentionSize`): the rest is WAL and compaction headroom. */
export const PROMETHEUS_RETENTION_SHARE = 0.85;

/** `retentionSize` for a volume of `storageGiB`, in whole GiB (the operator's `<n>GiB` form). */
export function prometheusRetentionSize(storageGiB: number): string {
  return `${Math.max(1, Math.floor(storageGiB * PROMETHEUS_RETENTION_SHARE))}GiB`;
}

/** Upstream's route that sends the always-firing Watchdog alert nowhere (kept: Helm replaces lists whole). */
const WATCHDOG_ROUTE = { receiver: "null", matchers: ['alertname = "Watchdog"'] } as const;

/**
 * The Alertmanager routing tree: Watchdog to "null", then each receiver with matchers gets what they
 * select (`continue`, so routing goes on), then the default receiver gets every alert. Without receivers
 * everything goes to "null" (visible in the UI only).
 */
export function alertmanagerRoute(monitoring: MonitoringConfig): Record<string, unknown> {
  const receivers = monitoring.receivers ?? [];
  const defaultReceiver = monitoring.defaultReceiver ?? receivers[0]?.name;
  if (defaultReceiver === undefined) return { receiver: "null", routes: [WATCHDOG_ROUTE] };
  const selective = receivers
    .filter((r) => r.name !== defaultReceiver && (r.matchers?.length ?? 0) > 0)
    .map((r) => ({ receiver: r.name, matchers: [...r.matchers!], continue: true }));
  return { receiver: defaultReceiver, routes: [WATCHDOG_ROUTE, ...selective, { receiver: defaultReceiver }] };
}

/** Terraform variable holding a receiver's secret URL. */
export function receiverVariableName(receiver: AlertReceiverConfig): string {
  return `alertmanager_${receiver.name.replace(/-/g, "_")}_url`;
}

function volumeClaim(sizeGiB: number): Record<string, unknown> {
  return {
    volumeClaimTemplate: {
      spec: {
        storageClassName: CEPH_BLOCK_STORAGE_CLASS,
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: `${sizeGiB}Gi` } },
      },
    },
  };
}

/**
 * TLS and public URLs of the three UIs, as one values layer: every Ingress names the ClusterIssuer and has a
 * tls block cert-manager fills; Prometheus and Alertmanager know the URL users reach them at (links in alerts,
 * Alertmanager's source links and silences).
 */
export function uiTlsValues(platform: PlatformConfig): Record<string, unknown> {
  const scheme = urlScheme(platform);
  const tls = (app: "prometheus" | "alertmanager" | "grafana") => ({
    annotations: ingressTlsAnnotations(platform, "admin"),
    tls: [{ secretName: uiTlsSecret(app), hosts: [uiHost(app, platform.domain)] }],
  });
  return {
    prometheus: { ingress: tls("prometheus"), prometheusSpec: { externalUrl: `${scheme}://${uiHost("prometheus", platform.domain)}/` } },
    alertmanager: { ingress: tls("alertmanager"), alertmanagerSpec: { externalUrl: `${scheme}://${uiHost("alertmanager", platform.domain)}/` } },
    grafana: { ingress: tls("grafana") },
  };
}

function controlPlaneTarget(ips: readonly string[], m: { port: number; https: boolean }): Record<string, unknown> {
  return {
    enabled: true,
    endpoints: ips,
    service: { enabled: true, port: m.port, targetPort: m.port },
    serviceMonitor: m.https
      ? // Self-signed serving certs of kubeadm's static pods: TLS without verification, auth by the SA token.
        { enabled: true, https: true, insecureSkipVerify: true }
      : { enabled: true, scheme: "http" },
  };
}

export interface KubePrometheusStackProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Readiness gate, CNI and the Rook cluster (volumes on the Ceph storage class). */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * The environment's OIDC issuer (`securitySettings(env).oidc`): Grafana logs people in through it when it
   * has a `webClientId`.
   * @default Grafana's own login only
   */
  readonly oidc?: OidcSettings;
  /**
   * Secret of `oidc.webClientId` (PeopleAccess.webClientSecret); required with a webClientId.
   * @default none
   */
  readonly oidcClientSecret?: string;
  /**
   * Grafana data sources beside Prometheus and Alertmanager (grafana `additionalDataSources` entries), e.g. Loki.
   * @default []
   */
  readonly dataSources?: readonly Readonly<Record<string, unknown>>[];
  /**
   * PrometheusRule specs beside the platform's, by name (e.g. the log-pipeline alerts).
   * @default {}
   */
  readonly extraAlertRules?: Readonly<Record<string, { readonly groups: readonly RuleGroup[] }>>;
}

/** Grafana single sign-on, as a values layer and the set_sensitive entry of its client secret. */
function grafanaSso(props: KubePrometheusStackProps, rootUrl: string): { values: Record<string, unknown>; sensitive: SensitiveValue[] } {
  const { oidc, oidcClientSecret } = props;
  if (oidc?.webClientId === undefined) return { values: {}, sensitive: [] };
  if (oidcClientSecret === undefined) throw new Error("KubePrometheusStack: oidc.webClientId needs oidcClientSecret (PeopleAccess.webClientSecret)");
  return {
    values: {
      grafana: grafanaOidcValues({ ...oidc, webClientId: oidc.webClientId }, rootUrl),
      ...(oidc.caPem !== undefined ? { extraManifests: [grafanaOidcCaConfigMap(oidc.caPem, NAMESPACE.monitoring)] } : {}),
    },
    // Rendered by the chart into a Secret the Grafana pod reads as environment (envRenderSecret).
    sensitive: [{ path: `grafana.envRenderSecret.${GRAFANA_CLIENT_SECRET_ENV}`, value: oidcClientSecret }],
  };
}

/**
 * kube-prometheus-stack: Prometheus (retention and volume per environment on Ceph), Alertmanager with
 * receivers from config (secret URLs/passwords only through set_sensitive from sensitive variables),
 * Grafana with a generated admin password (sensitive output `grafana_admin_password`), UIs on the admin
 * ingress class, kubeadm's etcd/scheduler/controller-manager scraped at the control-plane IPs, and the
 * platform alert rules.
 */
export class KubePrometheusStack extends Construct {
  readonly addon: HelmAddon;
  readonly grafanaPassword: Password;
  /** Basic auth in front of Prometheus and Alertmanager (Traefik Middleware, generated credential). */
  readonly uiAuth: AdminUiAuth;

  constructor(scope: Construct, id: string, props: KubePrometheusStackProps) {
    super(scope, id);
    const { context } = props;
    const { monitoring, domain } = context.platform;

    this.grafanaPassword = new Password(this, "grafana-admin-password", { length: 32, special: false });
    new TerraformOutput(this, "grafana-admin-password-output", {
      value: this.grafanaPassword.result,
      sensitive: true,
      description: `Grafana admin password (user "admin") for ${uiHost("grafana", domain)}`,
    }).overrideLogicalId("grafana_admin_password");

    const sensitive: SensitiveValue[] = [{ path: "grafana.adminPassword", value: this.grafanaPassword.result }];
    const secretVariable = (name: string, description: string): string => {
      const v = new TerraformVariable(this, name, { type: "string", sensitive: true, description });
      v.overrideLogicalId(name);
      return v.stringValue;
    };

    const receivers = monitoring.receivers ?? [];
    // Index 0 is upstream's "null" receiver (the Watchdog route points at it); ours follow.
    const receiverValues = receivers.map((r, i) => {
      const at = `alertmanager.config.receivers[${i + 1}]`;
      switch (r.type) {
        case "email":
          return { name: r.name, email_configs: [{ to: r.to.join(", "), send_resolved: true }] };
        case "webhook":
          sensitive.push({ path: `${at}.webhook_configs[0].url`, value: secretVariable(receiverVariableName(r), `Webhook URL of alert receiver ${r.name}`) });
          return { name: r.name, webhook_configs: [{ send_resolved: true }] };
        case "slack":
          sensitive.push({ path: `${at}.slack_configs[0].api_url`, value: secretVariable(receiverVariableName(r), `Slack webhook URL of alert receiver ${r.name}`) });
          return { name: r.name, slack_configs: [{ channel: r.channel, send_resolved: true }] };
        case "teams":
          sensitive.push({ path: `${at}.msteamsv2_configs[0].webhook_url`, value: secretVariable(receiverVariableName(r), `Teams Workflows webhook URL of alert receiver ${r.name}`) });
          return { name: r.name, msteamsv2_configs: [{ send_resolved: true }] };
      }
    });
    const smtp = monitoring.smtp;
    if (smtp?.username !== undefined) {
      sensitive.push({ path: "alertmanager.config.global.smtp_auth_password", value: secretVariable("alertmanager_smtp_password", `SMTP password of ${smtp.username}`) });
    }

    // No login of their own: Traefik's basicAuth Middleware (admin-ui-auth.ts) guards both.
    const ingress = (app: "prometheus" | "alertmanager") => ({
      enabled: true,
      ingressClassName: INGRESS_CLASS.admin,
      hosts: [uiHost(app, domain)],
      paths: ["/"],
      annotations: adminUiAuthAnnotations(),
    });
    const scheme = urlScheme(context.platform);
    const sso = grafanaSso(props, `${scheme}://${uiHost("grafana", domain)}/`);
    sensitive.push(...sso.sensitive);

    // In the Terraform-owned monitoring namespace (props.dependsOn holds it), before the release.
    this.uiAuth = new AdminUiAuth(this, "ui-auth", {
      environment: context.environment,
      hosts: [uiHost("prometheus", domain), uiHost("alertmanager", domain)],
      dependsOn: props.dependsOn,
    });
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "kube-prometheus-stack",
      chart: CHARTS.kubePrometheusStack,
      namespace: NAMESPACE.monitoring,
      mirror: context.mirror,
      defaults: {
        prometheus: {
          prometheusSpec: {
            // Select every rule/monitor/probe in the cluster, not only those labelled with this release:
            // the blackbox Probes and the GitOps apps' ServiceMonitors come from other releases.
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
          },
        },
        additionalPrometheusRulesMap: {
          "platform-alerts": platformAlertRules(),
          ...(context.etcdSnapshotIntervalHours ? { "etcd-backups": { groups: [etcdBackupAlertRules(context.etcdSnapshotIntervalHours)] } } : {}),
          ...props.extraAlertRules,
        },
        "prometheus-node-exporter": {
          // The chart's two flags, plus the textfile collector on the host's directory (the chart mounts the
          // host's / at /host/root): the etcd snapshot metrics (lib/backups/etcd-snapshot.ts).
          extraArgs: [...NODE_EXPORTER_CHART_ARGS, `--collector.textfile.directory=/host/root${NODE_EXPORTER_TEXTFILE_DIR}`],
        },
        // Helm installs crds/ once and never upgrades it: the chart's upgrade job (a pre-install/pre-upgrade
        // hook) server-side applies the CRDs of this chart version before the operator rolls out, so a chart
        // bump brings the CRDs its operator expects. Its images are in KUBE_PROMETHEUS_STACK_IMAGES (mirrored);
        // kubectl's tag defaults to the cluster's Kubernetes version. busybox is pinned: "latest" in a site
        // mirror is whatever was pushed last.
        crds: { upgradeJob: { enabled: true, image: { busybox: { tag: KPS_CRD_UPGRADE_BUSYBOX_TAG } } } },
      },
      environment: deepMerge({
        prometheus: {
          ingress: ingress("prometheus"),
          prometheusSpec: {
            retention: monitoring.retention,
            // Whichever comes first: time retention, or the size that keeps the volume from filling up
            // (the WAL and compaction need the rest).
            retentionSize: prometheusRetentionSize(monitoring.storageGiB),
            storageSpec: volumeClaim(monitoring.storageGiB),
          },
        },
        alertmanager: {
          ingress: ingress("alertmanager"),
          alertmanagerSpec: { storage: volumeClaim(monitoring.alertmanagerStorageGiB ?? PLATFORM_DEFAULTS.alertmanagerStorageGiB) },
          config: {
            ...(smtp
              ? {
                  global: {
                    smtp_smarthost: smtp.smarthost,
                    smtp_from: smtp.from,
                    smtp_require_tls: smtp.requireTls ?? true,
                    ...(smtp.username !== undefined ? { smtp_auth_username: smtp.username } : {}),
                  },
                }
              : {}),
            route: alertmanagerRoute(monitoring),
            receivers: [{ name: "null" }, ...receiverValues],
          },
        },
        grafana: {
          ingress: { enabled: true, ingressClassName: INGRESS_CLASS.admin, hosts: [uiHost("grafana", domain)], path: "/" },
          ...(props.dataSources?.length ? { additionalDataSources: props.dataSources } : {}),
        },
        kubeEtcd: controlPlaneTarget(context.controlPlaneIps, CONTROL_PLANE_METRICS.etcd),
        kubeScheduler: controlPlaneTarget(context.controlPlaneIps, CONTROL_PLANE_METRICS.scheduler),
        kubeControllerManager: controlPlaneTarget(context.controlPlaneIps, CONTROL_PLANE_METRICS.controllerManager),
        extraManifests: [adminUiMiddleware(context.environment), ...((sso.values.extraManifests as unknown[]) ?? [])],
      }, uiTlsValues(context.platform), { grafana: sso.values.grafana }),
      images: KUBE_PROMETHEUS_STACK_IMAGES,
      overrides: addonOverrides(context, "kube-prometheus-stack"),
      sensitive,
      // CRDs, operator admission webhook job, Grafana and node-exporter DaemonSet: well above Helm's 300 s.
      timeoutSeconds: 1200,
      // The htpasswd Secret first: the guarded routes never exist without it.
      dependsOn: [...props.dependsOn, this.uiAuth.htpasswd],
    });
  }
}
