import type { EtcdSnapshotSettings } from "../config/backups";

/**
 * etcd snapshots on the control-plane nodes (README "etcd snapshots"): a script, a oneshot service and a
 * timer, rendered into every control-plane node's cloud-config (lib/cluster/cloud-config.ts).
 *
 * - Nothing new on the node: etcdctl/etcdutl come from the etcd image the static pod already runs
 *   (`ctr run`, the image has no shell), the upload is curl's own SigV4 signing (curl >= 7.75).
 * - Every control-plane node's timer fires; only the etcd leader snapshots and uploads, the others log
 *   "not the leader" and succeed, so one object lands per interval whichever node is up.
 * - Object keys `<environment>/<UTC time>-<node>.db` sort by time; after each upload the leader deletes
 *   the keys under its prefix older than the retention (ListObjectsV2 + DELETE: works on every store,
 *   no lifecycle permission needed).
 * - node-exporter's textfile collector reads `etcd_backup.prom` (written atomically: rename); the alerts
 *   are lib/backups/etcd-backup-alerts.ts.
 * - The S3 keys are files of their own (0600, cloud-init writes them from sensitive Terraform values);
 *   curl reads them from stdin (`--config -`), never from its command line.
 * - curl trusts `s3-ca.crt` (S3_CA_FILE) besides the system store when the settings name a CA (`ca`): an external
 *   store's caPem, or the platform issuer's CA for the in-cluster store (the site CA: a sensitive variable).
 * - `etcd-snapshot restore KEY` is the bootstrap's restore (controlPlane.restoreFromSnapshot): download,
 *   verify, `etcdutl snapshot restore` into /var/lib/etcd as this node's single member.
 * K8S_BOOTSTRAP_ROOT prefixes every path and K8S_ETCD_TOOLS_DIR replaces the image's etcdctl/etcdutl:
 * for the behaviour tests only, unset on nodes.
 */
export const ETCD_SNAPSHOT_DIR = "/etc/kubernetes/etcd-snapshot";
export const ETCD_SNAPSHOT_SCRIPT_PATH = "/usr/local/sbin/etcd-snapshot";
export const ETCD_SNAPSHOT_UNIT = "etcd-snapshot.service";
export const ETCD_SNAPSHOT_TIMER = "etcd-snapshot.timer";
/** node-exporter's textfile collector directory on the host (kube-prometheus-stack reads it through /host/root). */
export const NODE_EXPORTER_TEXTFILE_DIR = "/var/lib/node_exporter/textfile_collector";
export const ETCD_BACKUP_METRICS_FILE = `${NODE_EXPORTER_TEXTFILE_DIR}/etcd_backup.prom`;
/** Minutes past the hour the timer fires: away from the full hour when other jobs start. */
export const ETCD_SNAPSHOT_MINUTE = 7;

/** The files a control-plane node gets (paths, contents, modes); secrets are the S3 key files (and the site CA), written by cloud-config. */
export interface EtcdSnapshotFiles {
  readonly env: string;
  readonly script: string;
  readonly service: string;
  readonly timer: string;
}

export const ETCD_SNAPSHOT_PATHS = {
  env: `${ETCD_SNAPSHOT_DIR}/etcd-snapshot.env`,
  accessKeyId: `${ETCD_SNAPSHOT_DIR}/s3-access-key-id`,
  secretAccessKey: `${ETCD_SNAPSHOT_DIR}/s3-secret-access-key`,
  caFile: `${ETCD_SNAPSHOT_DIR}/s3-ca.crt`,
  service: `/etc/systemd/system/${ETCD_SNAPSHOT_UNIT}`,
  timer: `/etc/systemd/system/${ETCD_SNAPSHOT_TIMER}`,
} as const;

/** The settings the script reads, per node (single-quoted: URLs, names and numbers, never a quote). */
export function etcdSnapshotEnv(settings: EtcdSnapshotSettings, node: { readonly name: string; readonly ip: string }): string {
  const values: Record<string, string> = {
    NODE_NAME: node.name,
    NODE_IP: node.ip,
    ETCD_ENDPOINT: `https://${node.ip}:2379`,
    S3_ENDPOINT: settings.store.endpoint,
    S3_REGION: settings.store.region,
    S3_BUCKET: settings.bucket,
    KEY_PREFIX: settings.keyPrefix,
    RETENTION_DAYS: String(settings.retentionDays),
    S3_CA_FILE: settings.ca ? ETCD_SNAPSHOT_PATHS.caFile : "",
  };
  return `${Object.entries(values).map(([k, v]) => `${k}='${v}'`).join("\n")}\n`;
}

/** `*-*-* 00/6:07:00`: every `intervalHours` (a divisor of 24) from midnight, at the same minutes on every node. */
export function etcdSnapshotCalendar(intervalHours: number): string {
  return intervalHours === 24 ? `*-*-* 00:${pad(ETCD_SNAPSHOT_MINUTE)}:00` : `*-*-* 00/${intervalHours}:${pad(ETCD_SNAPSHOT_MINUTE)}:00`;
}

const pad = (n: number) => String(n).padStart(2, "0");

export function etcdSnapshotService(): string {
  return `[Unit]
Description=etcd snapshot to the object store (only the etcd leader uploads)
Documentation=file://${ETCD_SNAPSHOT_SCRIPT_PATH}
# Until kubeadm has made this node an etcd member there is nothing to snapshot (a skip, not a failure).
ConditionPathExists=/etc/kubernetes/manifests/etcd.yaml
After=containerd.service kubelet.service network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=${ETCD_SNAPSHOT_SCRIPT_PATH}
TimeoutStartSec=30min
Nice=10
IOSchedulingClass=idle
`;
}

export function etcdSnapshotTimer(intervalHours: number): string {
  return `[Unit]
Description=etcd snapshot every ${intervalHours} h

[Timer]
OnCalendar=${etcdSnapshotCalendar(intervalHours)}
# A node that was off at the time catches up once at boot.
Persistent=true
AccuracySec=1min

[Install]
WantedBy=timers.target
`;
}

export function etcdSnapshotScript(): string {
  // Literal bash, but `$\{` stands for bash's `${` (a template literal would expand it); the only
  // substitutions are the two paths.
  return String.raw`#!/bin/bash
# Managed by the cluster bootstrap (lib/backups/etcd-snapshot.ts).
#   etcd-snapshot              snapshot etcd and upload it (the etcd leader only), then apply the retention
#   etcd-snapshot restore KEY  download snapshot KEY and restore it into /var/lib/etcd (the bootstrap's restore)
set -uo pipefail
R=$(printenv K8S_BOOTSTRAP_ROOT)
D=$R${ETCD_SNAPSHOT_DIR}
# shellcheck source=/dev/null
. "$D/etcd-snapshot.env"
PKI=$R/etc/kubernetes/pki/etcd
METRICS=$R${ETCD_BACKUP_METRICS_FILE}
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

log() { printf '%s etcd-snapshot %s: %s\n' "$(date -Is)" "$NODE_NAME" "$*" >&2; }
fail() { log "FAILED: $*"; write_metrics 0; exit 1; }

WORK=$(mktemp -d "$R/var/lib/etcd-snapshot.XXXXXX") || { log "FAILED: cannot create a work directory"; exit 1; }
trap 'rm -rf -- "$WORK"' EXIT

# Prometheus textfile: last run and its result; the success time survives failed and skipped runs.
write_metrics() { # write_metrics OK [SIZE]
  local now last size
  now=$(date +%s)
  last=$(sed -n 's/^etcd_backup_last_success_timestamp_seconds //p' "$METRICS" 2>/dev/null)
  size=$(sed -n 's/^etcd_backup_last_size_bytes //p' "$METRICS" 2>/dev/null)
  if [ -n "$\{2:-}" ]; then last=$now size=$2; fi
  mkdir -p "$(dirname "$METRICS")" || return 1
  {
    echo "# HELP etcd_backup_last_run_timestamp_seconds Time of the last etcd-snapshot run on this node."
    echo "# TYPE etcd_backup_last_run_timestamp_seconds gauge"
    echo "etcd_backup_last_run_timestamp_seconds $now"
    echo "# HELP etcd_backup_last_run_success 1 if the last etcd-snapshot run succeeded (uploaded, or skipped as a follower)."
    echo "# TYPE etcd_backup_last_run_success gauge"
    echo "etcd_backup_last_run_success $1"
    if [ -n "$last" ]; then
      echo "# HELP etcd_backup_last_success_timestamp_seconds Time of the last etcd snapshot this node uploaded."
      echo "# TYPE etcd_backup_last_success_timestamp_seconds gauge"
      echo "etcd_backup_last_success_timestamp_seconds $last"
      echo "# HELP etcd_backup_last_size_bytes Size of the last etcd snapshot this node uploaded."
      echo "# TYPE etcd_backup_last_size_bytes gauge"
      echo "etcd_backup_last_size_bytes $size"
    fi
  } >"$METRICS.$$" && mv -f "$METRICS.$$" "$METRICS"
}

# etcd_tool etcdctl|etcdutl ARGS...: the binaries of the etcd image the static pod runs (distroless: no
# shell, so each is its own container), with the etcd PKI and the work directory mounted.
etcd_tool() {
  local tool=$1 dir image
  shift
  dir=$(printenv K8S_ETCD_TOOLS_DIR)
  if [ -n "$dir" ]; then "$dir/$tool" "$@"; return; fi
  image=$\{ETCD_IMAGE:-$(sed -n 's/^ *image: *//p' "$R/etc/kubernetes/manifests/etcd.yaml" | head -1)}
  [ -n "$image" ] || { log "no etcd image (neither ETCD_IMAGE nor /etc/kubernetes/manifests/etcd.yaml)"; return 1; }
  ctr -n k8s.io run --rm --net-host \
    --mount "type=bind,src=$PKI,dst=$PKI,options=rbind:ro" --mount "type=bind,src=$WORK,dst=$WORK,options=rbind:rw" \
    "$image" "etcd-snapshot-$$-$RANDOM" "/usr/local/bin/$tool" "$@"
}
etcdctl_() { etcd_tool etcdctl --endpoints "$ETCD_ENDPOINT" --cacert "$PKI/ca.crt" --cert "$PKI/healthcheck-client.crt" --key "$PKI/healthcheck-client.key" --dial-timeout 5s --command-timeout 60s "$@"; }

# s3 METHOD KEY-OR-QUERY [CURL ARGS...]: one path-style request, SigV4-signed by curl. The keys reach curl
# on stdin (--config -), never its command line; x-amz-content-sha256 is set here (older curl omits it).
s3() {
  local method=$1 path=$2 sha=$EMPTY_SHA256
  shift 2
  if [ "$method" = PUT ]; then sha=$(sha256sum "$2" | cut -d' ' -f1); fi
  {
    printf 'user = "%s:%s"\n' "$(cat "$D/s3-access-key-id")" "$(cat "$D/s3-secret-access-key")"
  } | curl -sS --fail-with-body --max-time 600 --retry 3 --config - --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    $\{S3_CA_FILE:+--cacert "$R$S3_CA_FILE"} -H "x-amz-content-sha256: $sha" -X "$method" "$@" "$S3_ENDPOINT/$S3_BUCKET$path"
}

if [ "$\{1:-}" = restore ]; then
  key=$\{2:?usage: etcd-snapshot restore KEY}
  DATA=$R/var/lib/etcd
  [ ! -e "$DATA/member" ] || { log "FAILED: $DATA already holds etcd data; a restore starts from an empty node"; exit 1; }
  log "downloading s3://$S3_BUCKET/$key"
  s3 GET "/$key" -o "$WORK/snapshot.db" || { log "FAILED: cannot download s3://$S3_BUCKET/$key from $S3_ENDPOINT"; exit 1; }
  etcd_tool etcdutl snapshot status "$WORK/snapshot.db" -w table >&2 || { log "FAILED: $key is not a readable etcd snapshot"; exit 1; }
  etcd_tool etcdutl snapshot restore "$WORK/snapshot.db" --data-dir "$WORK/etcd" --name "$NODE_NAME" \
    --initial-cluster "$NODE_NAME=https://$NODE_IP:2380" --initial-advertise-peer-urls "https://$NODE_IP:2380" >&2 ||
    { log "FAILED: etcdutl snapshot restore of $key"; exit 1; }
  if ! { mkdir -p "$(dirname "$DATA")" && rm -rf -- "$DATA" && mv "$WORK/etcd" "$DATA" && chmod 0700 "$DATA"; }; then
    log "FAILED: cannot move the restored data to $DATA"
    exit 1
  fi
  log "restored $key into $DATA as the single member $NODE_NAME"
  exit 0
fi

# Only the leader uploads: "MemberID" and "Leader" of this node's endpoint (-w fields keeps the uint64s exact).
status=$(etcdctl_ endpoint status -w fields) || fail "etcd at $ETCD_ENDPOINT does not answer"
member=$(printf '%s\n' "$status" | sed -n 's/^"MemberID" : //p')
leader=$(printf '%s\n' "$status" | sed -n 's/^"Leader" : //p')
if [ -z "$member" ] || [ -z "$leader" ]; then fail "no member id or leader in the endpoint status"; fi
if [ "$member" != "$leader" ]; then
  log "not the etcd leader ($member, leader $leader): the leader uploads"
  write_metrics 1
  exit 0
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
key="$KEY_PREFIX$stamp-$NODE_NAME.db"
etcdctl_ snapshot save "$WORK/snapshot.db" >&2 || fail "etcdctl snapshot save"
etcd_tool etcdutl snapshot status "$WORK/snapshot.db" -w table >&2 || fail "the snapshot does not verify (etcdutl snapshot status)"
size=$(stat -c %s "$WORK/snapshot.db")
s3 PUT "/$key" -T "$WORK/snapshot.db" >/dev/null || fail "upload to $S3_ENDPOINT/$S3_BUCKET/$key"
log "uploaded s3://$S3_BUCKET/$key ($size bytes)"

# Retention: keys are <prefix><UTC time>-..., so older than the cutoff sorts before it. One page (1,000 keys,
# the oldest first) per run: a backlog shrinks by a page an interval.
cutoff=$(date -u -d "@$(($(date +%s) - RETENTION_DAYS * 86400))" +%Y%m%dT%H%M%SZ)
listing=$(s3 GET "/?list-type=2&prefix=$\{KEY_PREFIX//\//%2F}") || fail "cannot list s3://$S3_BUCKET/$KEY_PREFIX for the retention"
deleted=0
for old in $(printf '%s' "$listing" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'); do
  when=$\{old#"$KEY_PREFIX"}
  when=$\{when:0:16}
  if ! [[ "$when" =~ ^[0-9]{8}T[0-9]{6}Z$ && "$when" < "$cutoff" ]]; then continue; fi
  s3 DELETE "/$old" >/dev/null || fail "cannot delete $old (older than $RETENTION_DAYS days)"
  deleted=$((deleted + 1))
done
log "retention $RETENTION_DAYS days: deleted $deleted snapshot(s) older than $cutoff"
write_metrics 1 "$size" || fail "cannot write $METRICS"
`.replace(/\$\\\{/g, "${");
}
