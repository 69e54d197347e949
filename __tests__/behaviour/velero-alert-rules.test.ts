import { VELERO_RUNBOOK, veleroAlertRules } from "../../lib/platform/velero-alert-rules";
import { describeWithTool } from "../tools";
import { promtoolRules } from "./helpers/promtool";

/**
 * Velero's backup alerts in the real Prometheus rule engine (promtool): each fires on the series Velero publishes
 * (names and the `schedule` label of its /metrics, scraped in the velero namespace), when it should and not before.
 */
const TENANTS = 'namespace="velero",schedule="velero-tenants"';
const PLATFORM = 'namespace="velero",schedule="velero-platform"';

function expected(alertname: string, labels: Record<string, string>, description: string) {
  const rule = veleroAlertRules().groups.flatMap((g) => g.rules).find((r) => r.alert === alertname)!;
  return { exp_labels: { severity: rule.labels.severity, ...labels }, exp_annotations: { summary: rule.annotations.summary, description, runbook_url: VELERO_RUNBOOK } };
}

const unitTests = {
  rule_files: ["rules.yaml"],
  evaluation_interval: "1m",
  tests: [
    {
      // velero-tenants last succeeded at 2h; velero-platform keeps succeeding: only the tenants' schedule alerts,
      // once its backup is over 26 hours old for 30 minutes (at 28h30m), not at 28h.
      interval: "1m",
      input_series: [
        { series: `velero_backup_last_successful_timestamp{${TENANTS}}`, values: "0x119 7200x1800" },
        { series: `velero_backup_last_successful_timestamp{${PLATFORM}}`, values: "0+60x1920" },
      ],
      alert_rule_test: [
        { eval_time: "28h", alertname: "VeleroBackupTooOld", exp_alerts: [] },
        {
          eval_time: "29h",
          alertname: "VeleroBackupTooOld",
          exp_alerts: [
            expected(
              "VeleroBackupTooOld",
              { namespace: "velero", schedule: "velero-tenants" },
              "The last successful backup of schedule velero-tenants is 1d 3h 0m 0s old (more than 26 hours): a restore now would lose that much. velero backup get; velero backup describe <newest> --details.",
            ),
          ],
        },
        { eval_time: "29h", alertname: "VeleroBackupNeverSucceeded", exp_alerts: [] },
      ],
    },
    {
      // Schedules exist (0: never succeeded) for 26 hours: one critical alert; at 25h nothing yet.
      interval: "1m",
      input_series: [
        { series: `velero_backup_last_successful_timestamp{${TENANTS}}`, values: "0x1700" },
        { series: `velero_backup_last_successful_timestamp{${PLATFORM}}`, values: "0x1700" },
      ],
      alert_rule_test: [
        { eval_time: "25h", alertname: "VeleroBackupNeverSucceeded", exp_alerts: [] },
        { eval_time: "26h10m", alertname: "VeleroBackupTooOld", exp_alerts: [] },
        {
          eval_time: "26h10m",
          alertname: "VeleroBackupNeverSucceeded",
          exp_alerts: [
            expected(
              "VeleroBackupNeverSucceeded",
              {},
              "For 26 hours no scheduled backup has completed: check velero backup-location get (Available?) and the Velero pod's log.",
            ),
          ],
        },
      ],
    },
    {
      // One failed and one partially failed backup of the tenants' schedule: a warning each, for the hour after.
      interval: "1m",
      input_series: [
        { series: `velero_backup_failure_total{${TENANTS}}`, values: "0x30 1x120" },
        { series: `velero_backup_partial_failure_total{${TENANTS}}`, values: "0x30 1x120" },
        { series: `velero_backup_failure_total{${PLATFORM}}`, values: "0x150" },
      ],
      alert_rule_test: [
        { eval_time: "20m", alertname: "VeleroBackupFailed", exp_alerts: [] },
        {
          eval_time: "40m",
          alertname: "VeleroBackupFailed",
          exp_alerts: [expected("VeleroBackupFailed", { schedule: "velero-tenants" }, "A backup of schedule velero-tenants failed in the last hour: velero backup get, then velero backup logs <name>.")],
        },
        {
          eval_time: "40m",
          alertname: "VeleroBackupPartiallyFailed",
          exp_alerts: [
            expected(
              "VeleroBackupPartiallyFailed",
              { schedule: "velero-tenants" },
              "A backup of schedule velero-tenants completed with errors in the last hour: velero backup describe <name> --details lists what is missing.",
            ),
          ],
        },
        { eval_time: "2h", alertname: "VeleroBackupFailed", exp_alerts: [] },
      ],
    },
  ],
};

describeWithTool("promtool")("Velero's backup alert rules in the real Prometheus rule engine (promtool)", () => {
  const promtool = promtoolRules("velero-alert-rules", veleroAlertRules(), unitTests);

  it("parses every expression and annotation template", () => {
    const out = promtool.check();
    expect(out).toContain(`SUCCESS: ${veleroAlertRules().groups.flatMap((g) => g.rules).length} rules found`);
  });

  it("fires each alert when it should, not before, with its labels, rendered annotations and runbook", () => {
    const run = promtool.test();
    expect(run.output).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });
});
