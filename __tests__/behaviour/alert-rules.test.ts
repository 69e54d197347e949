import { API_SERVER_PROBE_JOB, PROBE_JOB, platformAlertRules } from "../../lib/platform/alert-rules";
import { describeWithTool } from "../tools";
import { promtoolRules } from "./helpers/promtool";

/**
 * The platform's own alert rules, run by the real Prometheus rule engine (promtool, Debian's prometheus
 * package): `check rules` parses every expression and template, `test rules` feeds synthetic series and
 * asserts which alerts fire, when, with which labels and rendered annotations.
 */
const URL = "https://grafana.prod.k8s.example.internal";
const probe = `{job="${PROBE_JOB}",instance="${URL}"}`;
const DAY = 86400;

function certAlert(days: number, severity: string, left: string) {
  return {
    exp_labels: { severity, job: PROBE_JOB, instance: URL },
    exp_annotations: {
      summary: `TLS certificate expires in less than ${days} days`,
      description: `The certificate served at ${URL} expires in ${left}: check its cert-manager Certificate (kubectl describe certificate -A).`,
    },
  };
}

/** An alert's annotations as Prometheus renders them, for the few template fields the rules use. */
function rendered(alert: string, fields: Record<string, string>): Record<string, string> {
  const rule = platformAlertRules().groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!;
  const fill = (text: string) => text.replace(/\{\{ \$labels\.(\w+) \}\}|\{\{ \$value \| humanizeDuration \}\}/g, (_m, label?: string) => fields[label ?? "value"]);
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fill(v)]));
}
const API = "https://10.20.30.11:6443/livez";
const apiProbe = `{job="${API_SERVER_PROBE_JOB}",instance="${API}"}`;
const kubelet = '{job="kubelet",node="prod-general-1",instance="10.20.30.21:10250"}';
const apiAlert = (alert: string, severity: string, left: string) => ({
  exp_labels: { severity, job: API_SERVER_PROBE_JOB, instance: API },
  exp_annotations: rendered(alert, { instance: API, value: left }),
});

const certificateTests = [
  {
    // kubeadm's serving certificate with 20 days left: renewal is overdue (warning), not yet imminent; the ingress alerts stay quiet.
    interval: "1m",
    input_series: [{ series: `probe_ssl_earliest_cert_expiry${apiProbe}`, values: `${20 * DAY}x200` }],
    alert_rule_test: [
      { eval_time: "30m", alertname: "KubeadmCertificateRenewalOverdue", exp_alerts: [] },
      { eval_time: "2h", alertname: "KubeadmCertificateRenewalOverdue", exp_alerts: [apiAlert("KubeadmCertificateRenewalOverdue", "warning", "19d 22h 0m 0s")] },
      { eval_time: "2h", alertname: "KubeadmCertificateExpiryImminent", exp_alerts: [] },
      { eval_time: "2h", alertname: "TlsCertificateExpiringSoon", exp_alerts: [] },
    ],
  },
  {
    interval: "1m",
    input_series: [{ series: `probe_ssl_earliest_cert_expiry${apiProbe}`, values: `${5 * DAY}x200` }],
    alert_rule_test: [
      { eval_time: "2h", alertname: "KubeadmCertificateExpiryImminent", exp_alerts: [apiAlert("KubeadmCertificateExpiryImminent", "critical", "4d 22h 0m 0s")] },
    ],
  },
  {
    // 60 days left: renewed in time (the timer renews at 90 on prod), nothing fires.
    interval: "1m",
    input_series: [{ series: `probe_ssl_earliest_cert_expiry${apiProbe}`, values: `${60 * DAY}x200` }],
    alert_rule_test: [{ eval_time: "3h", alertname: "KubeadmCertificateRenewalOverdue", exp_alerts: [] }],
  },
  {
    // A kubelet whose client certificate has 20 days left has failed to rotate (it rotates with ~36 days or more left); 40 days: fine.
    interval: "1m",
    input_series: [
      { series: `kubelet_certificate_manager_client_ttl_seconds${kubelet}`, values: `${20 * DAY}x200` },
      { series: 'kubelet_certificate_manager_client_ttl_seconds{job="kubelet",node="prod-general-2",instance="10.20.30.22:10250"}', values: `${40 * DAY}x200` },
    ],
    alert_rule_test: [
      {
        eval_time: "2h",
        alertname: "KubeletClientCertificateRotationOverdue",
        exp_alerts: [{
          exp_labels: { severity: "warning", job: "kubelet", node: "prod-general-1", instance: "10.20.30.21:10250" },
          exp_annotations: rendered("KubeletClientCertificateRotationOverdue", { node: "prod-general-1", instance: "10.20.30.21:10250", value: "20d 0h 0m 0s" }),
        }],
      },
    ],
  },
  {
    // Requests with a client certificate under 30 days (the 2592000 s bucket grows): an alert while they come, gone an hour after the last.
    interval: "5m",
    input_series: [
      // As the API server exposes it (Go's %g): the 30-day bucket, and the 7-day one below it, which must not count twice.
      { series: 'apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",le="604800"}', values: "0 0 0 1 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2" },
      { series: 'apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",le="2.592e+06"}', values: "0 0 0 2 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4" },
    ],
    alert_rule_test: [
      { eval_time: "10m", alertname: "KubeClientCertificateExpiringSoon", exp_alerts: [] },
      {
        eval_time: "30m",
        alertname: "KubeClientCertificateExpiringSoon",
        exp_alerts: [{ exp_labels: { severity: "warning", job: "apiserver" }, exp_annotations: rendered("KubeClientCertificateExpiringSoon", {}) }],
      },
      { eval_time: "2h", alertname: "KubeClientCertificateExpiringSoon", exp_alerts: [] },
    ],
  },
];

const unitTests = {
  rule_files: ["rules.yaml"],
  evaluation_interval: "1m",
  tests: [
    {
      // A URL down for 5 minutes pages; one failed probe does not.
      interval: "1m",
      input_series: [{ series: `probe_success${probe}`, values: "1 0 1 0x10" }],
      alert_rule_test: [
        { eval_time: "3m", alertname: "HttpProbeFailed", exp_alerts: [] },
        {
          eval_time: "10m",
          alertname: "HttpProbeFailed",
          exp_alerts: [{
            exp_labels: { severity: "critical", job: PROBE_JOB, instance: URL },
            exp_annotations: {
              summary: "URL exposed through ingress is down",
              description: `${URL} has failed its HTTP probe for 5 minutes (blackbox exporter, module http_2xx).`,
            },
          }],
        },
      ],
    },
    {
      // Test time starts at the epoch: a value of 10 days is a certificate expiring 10 days from "now".
      // One sample a minute: with sparser samples the series goes stale between them (5 m lookback) and "for" restarts.
      interval: "1m",
      input_series: [{ series: `probe_ssl_earliest_cert_expiry${probe}`, values: `${10 * DAY}x200` }],
      alert_rule_test: [
        { eval_time: "30m", alertname: "TlsCertificateExpiringSoon", exp_alerts: [] },
        { eval_time: "2h", alertname: "TlsCertificateExpiringSoon", exp_alerts: [certAlert(14, "warning", "9d 22h 0m 0s")] },
        { eval_time: "2h", alertname: "TlsCertificateExpiryImminent", exp_alerts: [] },
      ],
    },
    {
      interval: "1m",
      input_series: [{ series: `probe_ssl_earliest_cert_expiry${probe}`, values: `${2 * DAY}x200` }],
      alert_rule_test: [
        { eval_time: "2h", alertname: "TlsCertificateExpiryImminent", exp_alerts: [certAlert(3, "critical", "1d 22h 0m 0s")] },
      ],
    },
    {
      interval: "1m",
      input_series: [{ series: `probe_ssl_earliest_cert_expiry${probe}`, values: `${60 * DAY}x200` }],
      alert_rule_test: [
        { eval_time: "3h", alertname: "TlsCertificateExpiringSoon", exp_alerts: [] },
        { eval_time: "3h", alertname: "TlsCertificateExpiryImminent", exp_alerts: [] },
      ],
    },
    {
      // 5 restarts within the hour fire; the alert names the container.
      interval: "5m",
      input_series: [{ series: 'kube_pod_container_status_restarts_total{namespace="shop",pod="api-1",container="api"}', values: "0 1 2 3 4 5 5 5 5 5 5 5 5 5 5" }],
      alert_rule_test: [
        {
          eval_time: "40m",
          alertname: "PodRestartingOften",
          exp_alerts: [{
            exp_labels: { severity: "warning", namespace: "shop", pod: "api-1", container: "api" },
            exp_annotations: { summary: "Container restarts often", description: "shop/api-1 (api) restarted 5 times in the last hour." },
          }],
        },
      ],
    },
    ...certificateTests,
  ],
};

describeWithTool("promtool")("the platform alert rules in the real Prometheus rule engine (promtool)", () => {
  const promtool = promtoolRules("alert-rules", platformAlertRules(), unitTests);

  it("parses every expression and annotation template", () => {
    const out = promtool.check();
    const count = platformAlertRules().groups.flatMap((g) => g.rules).length;
    expect(out).toContain(`SUCCESS: ${count} rules found`);
  });

  it("fires each alert when it should, not before, with its labels and rendered annotations", () => {
    const run = promtool.test();
    expect(run.output).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });
});
