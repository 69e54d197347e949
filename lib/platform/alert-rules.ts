/**
 * Alerts added on top of kube-prometheus-stack's default rules: what ops teams ask first ("is anything
 * restarting or failing its probes, and are the UIs reachable?"). Crash loops are the chart's own
 * KubePodCrashLooping (defaultRules.rules.kubernetesApps): not repeated here. Pure data: the spec of
 * a PrometheusRule, given to the chart through `additionalPrometheusRulesMap`.
 */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** Job name of the blackbox Probes (see blackbox-exporter.ts), used by the probe alert. */
export const PROBE_JOB = "platform-http-probes";

export function platformAlertRules(): { readonly groups: readonly RuleGroup[] } {
  return {
    groups: [
      {
        name: "platform.workloads",
        rules: [
          {
            alert: "PodRestartingOften",
            // kube-state-metrics counter; increase() tolerates counter resets when the pod is replaced.
            expr: "increase(kube_pod_container_status_restarts_total[1h]) > 3",
            for: "5m",
            labels: { severity: "warning" },
            annotations: {
              summary: "Container restarts often",
              description: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) restarted {{ $value | humanize }} times in the last hour.",
            },
          },
          {
            alert: "ContainerProbeFailing",
            // kubelet's prober metrics (scraped by kube-prometheus-stack's kubelet ServiceMonitor, /metrics/probes).
            expr: 'sum by (namespace, pod, container, probe_type) (increase(prober_probe_total{result="failed"}[10m])) > 5',
            for: "5m",
            labels: { severity: "warning" },
            annotations: {
              summary: "Liveness/readiness/startup probe failing",
              description: "{{ $labels.probe_type }} probe of {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) failed {{ $value | humanize }} times in 10 minutes.",
            },
          },
        ],
      },
      {
        name: "platform.endpoints",
        rules: [
          {
            alert: "HttpProbeFailed",
            expr: `probe_success{job="${PROBE_JOB}"} == 0`,
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
              summary: "URL exposed through ingress is down",
              description: "{{ $labels.instance }} has failed its HTTP probe for 5 minutes (blackbox exporter, module http_2xx).",
            },
          },
          // The certificates users are served, read by the same probes (probe_ssl_earliest_cert_expiry: the
          // earliest expiry in the chain). cert-manager renews a 90-day certificate 30 days before it expires:
          // 14 days left means renewal has been failing for two weeks.
          ...([["TlsCertificateExpiringSoon", 14, "warning"], ["TlsCertificateExpiryImminent", 3, "critical"]] as const).map(
            ([alert, days, severity]): AlertRule => ({
              alert,
              expr: `probe_ssl_earliest_cert_expiry{job="${PROBE_JOB}"} - time() < ${days} * 86400`,
              for: "1h",
              labels: { severity },
              annotations: {
                summary: `TLS certificate expires in less than ${days} days`,
                description: "The certificate served at {{ $labels.instance }} expires in {{ $value | humanizeDuration }}: check its cert-manager Certificate (kubectl describe certificate -A).",
              },
            }),
          ),
        ],
      },
    ],
  };
}
