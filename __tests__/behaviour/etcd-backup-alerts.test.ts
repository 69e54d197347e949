import { ETCD_BACKUP_RUNBOOK, etcdBackupAlertRules } from "../../lib/backups/etcd-backup-alerts";
import { describeWithTool } from "../tools";
import { promtoolRules } from "./helpers/promtool";

/**
 * The etcd backup alerts (hourly snapshots) in the real Prometheus rule engine: the newest success across
 * the control-plane nodes counts, two missed hours page, a failed run warns, no metric at all pages after
 * two intervals (EtcdBackupMissing).
 */
const node = (n: number) => `{instance="10.0.0.${n}:9100",job="node-exporter"}`;
// Written a+bxn throughout: promtool reads "0x18" as the hexadecimal number 24.
const tooOld = { summary: "The last good etcd snapshot is too old", runbook: ETCD_BACKUP_RUNBOOK };

const unitTests = {
  rule_files: ["rules.yaml"],
  evaluation_interval: "1m",
  tests: [
    {
      // Node 1 uploaded at t=0 and then lost leadership; node 2 uploads at t=60m, then nothing more.
      interval: "1m",
      input_series: [
        { series: `etcd_backup_last_success_timestamp_seconds${node(1)}`, values: "0+0x300" },
        { series: `etcd_backup_last_success_timestamp_seconds${node(2)}`, values: "_x60 3600+0x240" },
        { series: `etcd_backup_last_run_success${node(1)}`, values: "1+0x300" },
        { series: `etcd_backup_last_run_success${node(2)}`, values: "1+0x120 0+0x180" },
      ],
      alert_rule_test: [
        // 2 h after node 2's upload (node 1's is older, but max counts): not yet (for 10m).
        { eval_time: "3h", alertname: "EtcdBackupTooOld", exp_alerts: [] },
        {
          eval_time: "3h20m",
          alertname: "EtcdBackupTooOld",
          exp_alerts: [{ exp_labels: { severity: "critical" }, exp_annotations: { ...tooOld, description: "The newest etcd snapshot uploaded to the object store is 2h 20m 0s old (snapshots every 1 h). Check journalctl -u etcd-snapshot on the control-plane nodes and the object store." } }],
        },
        { eval_time: "2h", alertname: "EtcdBackupFailing", exp_alerts: [] },
        {
          eval_time: "2h30m",
          alertname: "EtcdBackupFailing",
          exp_alerts: [{
            exp_labels: { severity: "warning", instance: "10.0.0.2:9100", job: "node-exporter" },
            exp_annotations: {
              summary: "The etcd snapshot failed on a control-plane node",
              description: "The last etcd-snapshot run on 10.0.0.2:9100 failed (snapshot, upload or retention). See journalctl -u etcd-snapshot on that node.",
              runbook: ETCD_BACKUP_RUNBOOK,
            },
          }],
        },
      ],
    },
    {
      // No node ever reported an upload: pages after two intervals.
      interval: "1m",
      input_series: [{ series: `etcd_backup_last_run_success${node(1)}`, values: "1+0x200" }],
      alert_rule_test: [
        { eval_time: "1h50m", alertname: "EtcdBackupMissing", exp_alerts: [] },
        { eval_time: "2h10m", alertname: "EtcdBackupMissing", exp_alerts: [{ exp_labels: { severity: "critical" }, exp_annotations: { summary: "No etcd snapshot has been uploaded", runbook: ETCD_BACKUP_RUNBOOK, description: "No control-plane node has reported an uploaded etcd snapshot for 2 h (etcd_backup_last_success_timestamp_seconds is absent). Check that etcd-snapshot.timer is enabled on the control-plane nodes and that node-exporter reads its textfile directory." } }] },
      ],
    },
  ],
};

describeWithTool("promtool")("etcd backup alerts in the real Prometheus rule engine (promtool)", () => {
  const promtool = promtoolRules("etcd-backup-alerts", { groups: [etcdBackupAlertRules(1)] }, unitTests);

  it("parses every expression and annotation template", () => {
    expect(promtool.check()).toContain("SUCCESS: 3 rules found");
  });

  it("fires when the newest snapshot is two intervals old, when a run fails, and when none was ever uploaded", () => {
    const run = promtool.test();
    expect(run.output).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });
});
