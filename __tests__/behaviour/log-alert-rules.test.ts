import { LOG_PIPELINE_RUNBOOK, logPipelineAlertRules } from "../../lib/platform/log-alert-rules";
import { describeWithTool } from "../tools";
import { promtoolRules } from "./helpers/promtool";

/**
 * The log-pipeline alerts (Fluent Bit → Loki) in the real Prometheus rule engine (promtool): each fires on the
 * series the real exporters publish (names and labels of Fluent Bit's and Loki's /metrics), when it should and
 * not before, with its rendered annotations and the runbook link.
 */
const FB = 'namespace="logging",pod="fluent-bit-x7k2p"';
const LOKI = 'namespace="logging",pod="loki-0"';

/** The annotations an alert renders (summary, description + action, runbook). */
function alert(alertname: string, labels: Record<string, string>) {
  const rule = logPipelineAlertRules().groups.flatMap((g) => g.rules).find((r) => r.alert === alertname)!;
  return (description: string) => ({
    exp_labels: { severity: rule.labels.severity, ...labels },
    exp_annotations: { summary: rule.annotations.summary, description, runbook_url: LOG_PIPELINE_RUNBOOK },
  });
}

const unitTests = {
  rule_files: ["rules.yaml"],
  evaluation_interval: "1m",
  tests: [
    {
      // One record lost a minute on the Loki output: critical at once (for 0m), with the pod and the output's alias.
      interval: "1m",
      input_series: [{ series: `fluentbit_output_dropped_records_total{${FB},name="loki-containers"}`, values: "0+1x30" }],
      alert_rule_test: [
        {
          eval_time: "15m",
          alertname: "FluentBitDroppingRecords",
          exp_alerts: [
            alert("FluentBitDroppingRecords", { pod: "fluent-bit-x7k2p", name: "loki-containers" })(
              "fluent-bit-x7k2p dropped 10 records on output loki-containers in 10 minutes: those log lines are lost. Check the destination (Loki or the forward collector) and the pod's own log.",
            ),
          ],
        },
      ],
    },
    {
      // No drop: nothing fires.
      interval: "1m",
      input_series: [{ series: `fluentbit_output_dropped_records_total{${FB},name="loki-containers"}`, values: "7x30" }],
      alert_rule_test: [{ eval_time: "20m", alertname: "FluentBitDroppingRecords", exp_alerts: [] }],
    },
    {
      // Retries given up on the forward output: a warning after 5 minutes, not before.
      interval: "1m",
      input_series: [{ series: `fluentbit_output_retries_failed_total{${FB},name="forward"}`, values: "0+1x30" }],
      alert_rule_test: [
        { eval_time: "4m", alertname: "FluentBitRetriesFailing", exp_alerts: [] },
        {
          eval_time: "15m",
          alertname: "FluentBitRetriesFailing",
          exp_alerts: [
            alert("FluentBitRetriesFailing", { pod: "fluent-bit-x7k2p", name: "forward" })(
              "fluent-bit-x7k2p gave up 10 retries on output forward in 10 minutes. The destination is down or refuses records; the node buffers on disk until its limit, then drops.",
            ),
          ],
        },
      ],
    },
    {
      interval: "1m",
      input_series: [{ series: `up{${FB},job="fluent-bit"}`, values: "0x20" }],
      alert_rule_test: [
        { eval_time: "5m", alertname: "FluentBitDown", exp_alerts: [] },
        {
          eval_time: "15m",
          alertname: "FluentBitDown",
          exp_alerts: [
            alert("FluentBitDown", { namespace: "logging", pod: "fluent-bit-x7k2p", job: "fluent-bit" })(
              "The Fluent Bit pod fluent-bit-x7k2p has not been scraped for 10 minutes: logs of its node are not collected. kubectl -n logging describe pod fluent-bit-x7k2p.",
            ),
          ],
        },
      ],
    },
    {
      // Loki refusing lines (rate limit), two per minute.
      interval: "1m",
      input_series: [{ series: `loki_discarded_samples_total{${LOKI},reason="rate_limited",tenant="fake"}`, values: "0+2x30" }],
      alert_rule_test: [
        {
          eval_time: "15m",
          alertname: "LokiDiscardingSamples",
          exp_alerts: [
            alert("LokiDiscardingSamples", { reason: "rate_limited" })(
              "Loki discarded 20 lines in 10 minutes (reason rate_limited). Raise the matching limit (platform.overrides.loki, loki.limits_config) or find the noisy source.",
            ),
          ],
        },
      ],
    },
    {
      // 10% of pushes fail (status 500): critical after 10 minutes; queries failing do not count.
      interval: "1m",
      input_series: [
        { series: `loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_push",status_code="204"}`, values: "0+90x30" },
        { series: `loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_push",status_code="500"}`, values: "0+10x30" },
        { series: `loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_query_range",status_code="500"}`, values: "0+1000x30" },
      ],
      alert_rule_test: [
        { eval_time: "8m", alertname: "LokiPushErrors", exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: "LokiPushErrors",
          exp_alerts: [
            alert("LokiPushErrors", {})(
              "10% of pushes to Loki failed over 5 minutes. Check the write path's log and the object store (kubectl -n logging logs -l app.kubernetes.io/name=loki).",
            ),
          ],
        },
      ],
    },
    {
      // 1% of pushes failing is noise, not an alert.
      interval: "1m",
      input_series: [
        { series: `loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_push",status_code="204"}`, values: "0+99x30" },
        { series: `loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_push",status_code="500"}`, values: "0+1x30" },
      ],
      alert_rule_test: [{ eval_time: "20m", alertname: "LokiPushErrors", exp_alerts: [] }],
    },
    {
      // Loki scraped but down, and (second test) not scraped at all: both fire after 10 minutes; up is quiet.
      interval: "1m",
      input_series: [{ series: `up{${LOKI},job="logging/loki"}`, values: "0x20" }],
      alert_rule_test: [
        { eval_time: "5m", alertname: "LokiDown", exp_alerts: [] },
        {
          eval_time: "15m",
          alertname: "LokiDown",
          exp_alerts: [alert("LokiDown", {})("No Loki pod has answered its scrape for 10 minutes: logs are buffered on the nodes until their limit, then dropped. kubectl -n logging get pods; the object store must be reachable.")],
        },
      ],
    },
    {
      interval: "1m",
      input_series: [{ series: `up{namespace="logging",pod="fluent-bit-x7k2p",job="fluent-bit"}`, values: "1x20" }],
      alert_rule_test: [{ eval_time: "15m", alertname: "LokiDown", exp_alerts: [alert("LokiDown", {})("No Loki pod has answered its scrape for 10 minutes: logs are buffered on the nodes until their limit, then dropped. kubectl -n logging get pods; the object store must be reachable.")] }],
    },
    {
      interval: "1m",
      input_series: [
        { series: `up{${LOKI},job="logging/loki"}`, values: "1x20" },
        { series: `up{namespace="logging",pod="loki-write-1",job="logging/loki-write"}`, values: "0x20" },
      ],
      alert_rule_test: [{ eval_time: "15m", alertname: "LokiDown", exp_alerts: [] }],
    },
    {
      // The compactor last succeeded 10 minutes in and never again: quiet for 3 hours, then a warning after 30 more minutes.
      interval: "1m",
      input_series: [{ series: `loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds{${LOKI}}`, values: "0x9 600x300" }],
      alert_rule_test: [
        { eval_time: "3h", alertname: "LokiCompactorNotRunning", exp_alerts: [] },
        {
          eval_time: "4h",
          alertname: "LokiCompactorNotRunning",
          exp_alerts: [
            alert("LokiCompactorNotRunning", {})(
              "The last successful compaction was 3h 50m 0s ago: retention is not applied and the bucket grows. Check the compactor (backend or single-binary pod) log for object-store errors.",
            ),
          ],
        },
      ],
    },
    {
      // A compactor that runs every 10 minutes never alerts (0 before its first run is ignored).
      interval: "10m",
      input_series: [{ series: `loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds{${LOKI}}`, values: "0 600+600x40" }],
      alert_rule_test: [{ eval_time: "6h", alertname: "LokiCompactorNotRunning", exp_alerts: [] }],
    },
  ],
};

describeWithTool("promtool")("the log-pipeline alert rules in the real Prometheus rule engine (promtool)", () => {
  const promtool = promtoolRules("log-alert-rules", logPipelineAlertRules(), unitTests);

  it("parses every expression and annotation template", () => {
    const out = promtool.check();
    const count = logPipelineAlertRules().groups.flatMap((g) => g.rules).length;
    expect(out).toContain(`SUCCESS: ${count} rules found`);
  });

  it("fires each alert when it should, not before, with its labels, rendered annotations and runbook", () => {
    const run = promtool.test();
    expect(run.output).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });
});
