import type { AlertRule, RuleGroup } from "./alert-rules";
import { NAMESPACE } from "./names";

/**
 * Alerts on Velero's scheduled backups: a schedule that silently stops is found only at the restore that needs
 * it. Pure data, like alert-rules.ts; kube-prometheus-stack gets them through `additionalPrometheusRulesMap`.
 * Metrics: Velero's own (pkg/metrics), scraped through its ServiceMonitor in the velero namespace, labelled by
 * `schedule` for scheduled backups.
 */

/** Where the runbook lives (README, "When a Velero alert fires"). */
export const VELERO_RUNBOOK = "README.md#when-a-velero-alert-fires";

/** Both schedules are daily: one missed run plus two hours of slack before a backup counts as too old. */
export const VELERO_BACKUP_MAX_AGE_HOURS = 26;

const sel = `namespace="${NAMESPACE.velero}", schedule!=""`;

function rule(alert: string, expr: string, forDuration: string, severity: string, summary: string, description: string): AlertRule {
  return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description, runbook_url: VELERO_RUNBOOK } };
}

export function veleroAlertRules(): { readonly groups: readonly RuleGroup[] } {
  const maxAge = VELERO_BACKUP_MAX_AGE_HOURS * 3600;
  return {
    groups: [
      {
        name: "platform.backups",
        rules: [
          rule(
            "VeleroBackupTooOld",
            // 0 until the schedule's first success: that case is VeleroBackupNeverSucceeded's.
            `time() - (velero_backup_last_successful_timestamp{${sel}} > 0) > ${maxAge}`,
            "30m",
            "critical",
            "A Velero schedule has no recent successful backup",
            `The last successful backup of schedule {{ $labels.schedule }} is {{ $value | humanizeDuration }} old (more than ${VELERO_BACKUP_MAX_AGE_HOURS} hours): a restore now would lose that much. velero backup get; velero backup describe <newest> --details.`,
          ),
          rule(
            "VeleroBackupNeverSucceeded",
            `absent(velero_backup_last_successful_timestamp{${sel}} > 0)`,
            `${VELERO_BACKUP_MAX_AGE_HOURS}h`,
            "critical",
            "No Velero schedule has ever completed a backup",
            `For ${VELERO_BACKUP_MAX_AGE_HOURS} hours no scheduled backup has completed: check velero backup-location get (Available?) and the Velero pod's log.`,
          ),
          rule(
            "VeleroBackupFailed",
            `sum by (schedule) (increase(velero_backup_failure_total{${sel}}[1h])) > 0`,
            "0m",
            "warning",
            "A Velero backup failed",
            "A backup of schedule {{ $labels.schedule }} failed in the last hour: velero backup get, then velero backup logs <name>.",
          ),
          rule(
            "VeleroBackupPartiallyFailed",
            // Some items or volumes were not backed up (e.g. a pod volume the node-agent could not read).
            `sum by (schedule) (increase(velero_backup_partial_failure_total{${sel}}[1h])) > 0`,
            "0m",
            "warning",
            "A Velero backup partially failed",
            "A backup of schedule {{ $labels.schedule }} completed with errors in the last hour: velero backup describe <name> --details lists what is missing.",
          ),
        ],
      },
    ],
  };
}
