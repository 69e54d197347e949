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
/** Job name of the blackbox Probe of every control-plane node's API server (its kubeadm serving certificate). */
export const API_SERVER_PROBE_JOB = "kubernetes-api-servers";

/**
 * kubeadm's certificates should be renewed long before this (certificates.renewBeforeDays, at least 45): a
 * month left means renewal has failed on that node for weeks. The kubelet rotates its client certificate
 * with at least ~36 days left (70-90 % of one year), so a month left means its rotation fails too.
 */
export const CERTIFICATE_WARNING_DAYS = 30;
const CERTIFICATE_CRITICAL_DAYS = 7;

type Threshold = readonly [alert: string, days: number, severity: "warning" | "critical"];

/** Alerts on a metric that holds seconds left (`< days * 86400`), one per threshold, held for an hour. */
function expiryAlerts(secondsLeft: string, thresholds: readonly Threshold[], summary: (days: number) => string, description: string): AlertRule[] {
  return thresholds.map(([alert, days, severity]) => ({
    alert,
    expr: `${secondsLeft} < ${days} * 86400`,
    for: "1h",
    labels: { severity },
    annotations: { summary: summary(days), description },
  }));
}

/** Runbook text for kubeadm's certificates on one control-plane node (README, "Certificates"). */
const KUBEADM_RUNBOOK =
  "On that node: journalctl -u k8s-cert-renewal and /var/log/k8s-cert-renewal.log say why the daily renewal did not renew; " +
  "fix the cause and run systemctl start k8s-cert-renewal.service (it renews and restarts the control-plane pods one at a time). " +
  "By hand: kubeadm certs renew all, then move each static pod manifest out of /etc/kubernetes/manifests and back, one at a time.";

/** Certificates of the cluster itself: kubeadm's (API server probes), the kubelets', and client certificates presented to the API server. */
function certificateRules(): AlertRule[] {
  return [
    ...expiryAlerts(
      `probe_ssl_earliest_cert_expiry{job="${API_SERVER_PROBE_JOB}"} - time()`,
      [["KubeadmCertificateRenewalOverdue", CERTIFICATE_WARNING_DAYS, "warning"], ["KubeadmCertificateExpiryImminent", CERTIFICATE_CRITICAL_DAYS, "critical"]],
      (days) => `Control-plane certificates expire in less than ${days} days`,
      `The API server at {{ $labels.instance }} serves a certificate that expires in {{ $value | humanizeDuration }}; kubeadm's other certificates on that node (etcd, front-proxy, kubeconfigs) expire with it. ${KUBEADM_RUNBOOK}`,
    ),
    ...expiryAlerts(
      "kubelet_certificate_manager_client_ttl_seconds",
      [["KubeletClientCertificateRotationOverdue", CERTIFICATE_WARNING_DAYS, "warning"]],
      (days) => `Kubelet client certificate expires in less than ${days} days`,
      "The kubelet on {{ $labels.node }} ({{ $labels.instance }}) has not rotated its client certificate, which expires in {{ $value | humanizeDuration }}. " +
        "It asks for a new one through a CertificateSigningRequest that the controller-manager approves and signs: kubectl get csr, journalctl -u kubelet on the node " +
        "(look for certificate_manager), and check that kube-controller-manager runs with the cluster CA key. If it expires, the node goes NotReady: rebuild it (nodeRevisions).",
    ),
    {
      alert: "KubeClientCertificateExpiringSoon",
      // The API server's histogram of client certificates it was shown: the 30-day bucket counts those with less
      // left. Its le label is written "2.592e+06" by the Go client (and "2592000.0" by Prometheus 3's normalization).
      expr: String.raw`sum by (job) (increase(apiserver_client_certificate_expiration_seconds_bucket{le=~"2592000(\\.0)?|2\\.592e\\+06"}[1h])) > 0`,
      for: "0m",
      labels: { severity: "warning" },
      annotations: {
        summary: `A client certificate presented to the API server expires in less than ${CERTIFICATE_WARNING_DAYS} days`,
        description:
          "The API server saw requests with a client certificate that has less than 30 days left. Who uses client certificates here: Terraform's admin certificate " +
          "(a plan and apply of the stack renews it: tls_locally_signed_cert admin-cert is replaced, the routine admin-cert-renewal), admin.conf, controller-manager.conf and " +
          `scheduler.conf on the control-plane nodes (renewed by k8s-cert-renewal: ${KUBEADM_RUNBOOK}), the kubelets (they rotate their own) and kube-vip (ten years). ` +
          "An apply with an expired admin certificate cannot refresh the cluster's resources: run terraform apply -target on the admin-cert first.",
      },
    },
  ];
}

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
          ...expiryAlerts(
            `probe_ssl_earliest_cert_expiry{job="${PROBE_JOB}"} - time()`,
            [["TlsCertificateExpiringSoon", 14, "warning"], ["TlsCertificateExpiryImminent", 3, "critical"]],
            (days) => `TLS certificate expires in less than ${days} days`,
            "The certificate served at {{ $labels.instance }} expires in {{ $value | humanizeDuration }}: check its cert-manager Certificate (kubectl describe certificate -A).",
          ),
        ],
      },
      { name: "platform.certificates", rules: certificateRules() },
    ],
  };
}
