import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { PROBE_JOB, platformAlertRules } from "../../lib/platform/alert-rules";
import { describeWithTool } from "../tools";

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
  ],
};

describeWithTool("promtool")("the platform alert rules in the real Prometheus rule engine (promtool)", () => {
  const dir = mkdtempSync(join(tmpdir(), "alert-rules-"));
  writeFileSync(join(dir, "rules.yaml"), stringify(platformAlertRules()));
  writeFileSync(join(dir, "tests.yaml"), stringify(unitTests));

  it("parses every expression and annotation template", () => {
    const out = execFileSync("promtool", ["check", "rules", join(dir, "rules.yaml")], { encoding: "utf8" });
    const count = platformAlertRules().groups.flatMap((g) => g.rules).length;
    expect(out).toContain(`SUCCESS: ${count} rules found`);
  });

  it("fires each alert when it should, not before, with its labels and rendered annotations", () => {
    const run = spawnSync("promtool", ["test", "rules", "tests.yaml"], { cwd: dir, encoding: "utf8" });
    expect(`${run.stdout}${run.stderr}`).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });
});
