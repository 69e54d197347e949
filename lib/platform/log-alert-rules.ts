import type { AlertRule, RuleGroup } from "./alert-rules";
import { NAMESPACE } from "./names";

/**
 * Alerts on the log pipeline itself (Fluent Bit → Loki): logs silently missing are found only when someone needs
 * them. Pure data, like alert-rules.ts; kube-prometheus-stack gets them through `additionalPrometheusRulesMap`
 * when logs are on. Metrics: Fluent Bit's own (its ServiceMonitor) and Loki's (its ServiceMonitor), both in the
 * logging namespace.
 */

/** Where the log pipeline's runbook lives (README "Logs", section "When a log-pipeline alert fires"). */
export const LOG_PIPELINE_RUNBOOK = "README.md#when-a-log-pipeline-alert-fires";

const ns = `namespace="${NAMESPACE.logging}"`;

function rule(alert: string, expr: string, forDuration: string, severity: string, summary: string, description: string, action: string): AlertRule {
  return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description: `${description} ${action}`, runbook_url: LOG_PIPELINE_RUNBOOK } };
}

export function logPipelineAlertRules(): { readonly groups: readonly RuleGroup[] } {
  return {
    groups: [
      {
        name: "platform.logs",
        rules: [
          rule(
            "FluentBitDroppingRecords",
            // Records of chunks that exhausted their retries (Retry_Limit) or were refused for good: these lines are lost.
            `sum by (pod, name) (increase(fluentbit_output_dropped_records_total{${ns}}[10m])) > 0`,
            "0m",
            "critical",
            "Fluent Bit is dropping log records",
            "{{ $labels.pod }} dropped {{ $value | humanize }} records on output {{ $labels.name }} in 10 minutes: those log lines are lost.",
            "Check the destination (Loki or the forward collector) and the pod's own log.",
          ),
          rule(
            "FluentBitRetriesFailing",
            // A retry that failed for good (the chunk is dropped after it): the destination refuses or is unreachable.
            `sum by (pod, name) (increase(fluentbit_output_retries_failed_total{${ns}}[10m])) > 0`,
            "5m",
            "warning",
            "Fluent Bit cannot deliver to an output",
            "{{ $labels.pod }} gave up {{ $value | humanize }} retries on output {{ $labels.name }} in 10 minutes.",
            "The destination is down or refuses records; the node buffers on disk until its limit, then drops.",
          ),
          rule(
            "FluentBitDown",
            `up{${ns}, pod=~"fluent-bit-.*"} == 0`,
            "10m",
            "warning",
            "Fluent Bit is not answering",
            "The Fluent Bit pod {{ $labels.pod }} has not been scraped for 10 minutes: logs of its node are not collected.",
            "kubectl -n logging describe pod {{ $labels.pod }}.",
          ),
          rule(
            "LokiDiscardingSamples",
            // Lines Loki refused: rate or stream limits, too old, too long, or a bad label set.
            `sum by (reason) (increase(loki_discarded_samples_total{${ns}}[10m])) > 0`,
            "5m",
            "warning",
            "Loki is refusing log lines",
            "Loki discarded {{ $value | humanize }} lines in 10 minutes (reason {{ $labels.reason }}).",
            "Raise the matching limit (platform.overrides.loki, loki.limits_config) or find the noisy source.",
          ),
          rule(
            "LokiPushErrors",
            // Push API answers 5xx: Fluent Bit retries, and drops after its retry limit.
            `sum(rate(loki_request_duration_seconds_count{${ns}, route=~"loki_api_v1_push|api_prom_push", status_code=~"5.."}[5m])) / sum(rate(loki_request_duration_seconds_count{${ns}, route=~"loki_api_v1_push|api_prom_push"}[5m])) > 0.05`,
            "10m",
            "critical",
            "Loki fails pushes",
            "{{ $value | humanizePercentage }} of pushes to Loki failed over 5 minutes.",
            "Check the write path's log and the object store (kubectl -n logging logs -l app.kubernetes.io/name=loki).",
          ),
          rule(
            "LokiDown",
            `absent(up{${ns}, pod=~"loki-.*"} == 1)`,
            "10m",
            "critical",
            "Loki is down",
            "No Loki pod has answered its scrape for 10 minutes: logs are buffered on the nodes until their limit, then dropped.",
            "kubectl -n logging get pods; the object store must be reachable.",
          ),
          rule(
            "LokiCompactorNotRunning",
            // The compactor applies retention: without it the bucket only grows. It stamps every successful run (every
            // compaction_interval, also with nothing to do); 0 until the first. The expression of Loki's own mixin.
            `min(time() - (loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds{${ns}} > 0)) > 3 * 3600`,
            "30m",
            "warning",
            "Loki's compactor has not run for 3 hours",
            "The last successful compaction was {{ $value | humanizeDuration }} ago: retention is not applied and the bucket grows.",
            "Check the compactor (backend or single-binary pod) log for object-store errors.",
          ),
        ],
      },
    ],
  };
}
