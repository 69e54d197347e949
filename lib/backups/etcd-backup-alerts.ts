import type { RuleGroup } from "../platform/alert-rules";

/**
 * Alerts on the etcd snapshots (lib/backups/etcd-snapshot.ts writes the metrics through node-exporter's
 * textfile collector on every control-plane node). Only the leader uploads, so the newest success across
 * the nodes counts (max), and a leader change does not make an old timestamp on a follower an alert.
 */
export const ETCD_BACKUP_RUNBOOK = "README: etcd snapshots (Backups and logs)";

export function etcdBackupAlertRules(intervalHours: number): RuleGroup {
  // Two intervals: one missed run is tolerated (a reboot, a leader change at the wrong moment), two are not.
  const maxAgeSeconds = 2 * intervalHours * 3600;
  return {
    name: "etcd.backups",
    rules: [
      {
        alert: "EtcdBackupTooOld",
        expr: `time() - max(etcd_backup_last_success_timestamp_seconds) > ${maxAgeSeconds}`,
        for: "10m",
        labels: { severity: "critical" },
        annotations: {
          summary: "The last good etcd snapshot is too old",
          description: `The newest etcd snapshot uploaded to the object store is {{ $value | humanizeDuration }} old (snapshots every ${intervalHours} h). Check journalctl -u etcd-snapshot on the control-plane nodes and the object store.`,
          runbook: ETCD_BACKUP_RUNBOOK,
        },
      },
      {
        // No node has ever reported an upload (new cluster, timers not enabled, textfile collector not read).
        // A name of its own: two rules of one name and labels would write the same ALERTS series.
        alert: "EtcdBackupMissing",
        expr: "absent(etcd_backup_last_success_timestamp_seconds)",
        for: `${2 * intervalHours}h`,
        labels: { severity: "critical" },
        annotations: {
          summary: "No etcd snapshot has been uploaded",
          description: `No control-plane node has reported an uploaded etcd snapshot for ${2 * intervalHours} h (etcd_backup_last_success_timestamp_seconds is absent). Check that etcd-snapshot.timer is enabled on the control-plane nodes and that node-exporter reads its textfile directory.`,
          runbook: ETCD_BACKUP_RUNBOOK,
        },
      },
      {
        alert: "EtcdBackupFailing",
        expr: "etcd_backup_last_run_success == 0",
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary: "The etcd snapshot failed on a control-plane node",
          description: "The last etcd-snapshot run on {{ $labels.instance }} failed (snapshot, upload or retention). See journalctl -u etcd-snapshot on that node.",
          runbook: ETCD_BACKUP_RUNBOOK,
        },
      },
    ],
  };
}
