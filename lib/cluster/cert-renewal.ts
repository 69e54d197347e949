/**
 * Renewal of kubeadm's one-year certificates on control-plane nodes (README, "Certificates"): a script run
 * daily by a systemd timer. Under `renewBeforeDays` it runs `kubeadm certs renew all`, then restarts the
 * static pods one at a time the way `kubeadm upgrade` does (manifest out, container gone, manifest back,
 * health endpoint answers), so the components load the new files. The kubelet is left alone: its client
 * certificate rotates by itself (kubelet.conf points at /var/lib/kubelet/pki/kubelet-client-current.pem).
 * K8S_BOOTSTRAP_ROOT prefixes every path: for the behaviour tests only, unset on nodes.
 */
export const CERT_RENEWAL_SCRIPT_PATH = "/usr/local/sbin/k8s-cert-renewal";
export const CERT_RENEWAL_LOG = "/var/log/k8s-cert-renewal.log";
export const CERT_RENEWAL_SERVICE = "k8s-cert-renewal.service";
export const CERT_RENEWAL_TIMER = "k8s-cert-renewal.timer";
export const CERT_RENEWAL_SERVICE_PATH = `/etc/systemd/system/${CERT_RENEWAL_SERVICE}`;
export const CERT_RENEWAL_TIMER_PATH = `/etc/systemd/system/${CERT_RENEWAL_TIMER}`;

/** Certificates under /etc/kubernetes/pki that `kubeadm certs renew all` renews (stacked etcd). */
export const RENEWED_CERTIFICATES = [
  "apiserver", "apiserver-kubelet-client", "apiserver-etcd-client", "front-proxy-client",
  "etcd/server", "etcd/peer", "etcd/healthcheck-client",
] as const;
/** Kubeconfigs under /etc/kubernetes with an embedded client certificate kubeadm renews (super-admin.conf is deleted after init). */
export const RENEWED_KUBECONFIGS = ["admin", "controller-manager", "scheduler", "super-admin"] as const;
/** Static pods in restart order: etcd first (the API server talks to it), then what talks to the API server. */
export const RESTARTED_STATIC_PODS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;

export function certRenewalScript(): string {
  return String.raw`#!/bin/bash
# Managed by lib/cluster/cert-renewal.ts. Run daily by ${CERT_RENEWAL_TIMER} on control-plane nodes.
# Usage: k8s-cert-renewal RENEW_BEFORE_DAYS
set -uo pipefail
RENEW_BEFORE_DAYS=$1
# Empty on nodes; a temporary root in the behaviour tests.
R=$(printenv K8S_BOOTSTRAP_ROOT)
K=$R/etc/kubernetes
LOG=$R${CERT_RENEWAL_LOG}
# Per step: the old container going, the new one answering (etcd and the API server may take a while).
STEP_TIMEOUT_SECONDS=$(printenv K8S_CERT_RENEWAL_STEP_TIMEOUT || echo 300)

[ -e "$LOG" ] || install -m 0600 /dev/null "$LOG"
# stdout reaches the journal (the unit); the log file keeps the history.
log() { printf '%s k8s-cert-renewal: %s\n' "$(date -Is)" "$*" | tee -a "$LOG"; }
die() { log "FAILED: $*"; exit 1; }

# One run at a time (a manual start while the timer's runs).
exec 9>>"$LOG"
flock -n 9 || { echo "another k8s-cert-renewal run holds $LOG: nothing to do"; exit 0; }

if [ ! -f "$K/pki/apiserver.crt" ]; then
  log "no $K/pki/apiserver.crt: this node is not a control-plane member (yet): nothing to do"
  exit 0
fi
SECONDS_LEFT=$((RENEW_BEFORE_DAYS * 86400))

# The certificate of a file: a PEM file, or the client certificate embedded in a kubeconfig.
pem_of() {
  case "$1" in
  *.conf) sed -n 's/^ *client-certificate-data: *//p' "$1" | head -1 | base64 -d 2>/dev/null ;;
  *) cat "$1" ;;
  esac
}

# Every kubeadm-managed certificate that exists here, one path a line.
managed() {
  for c in ${RENEWED_CERTIFICATES.join(" ")}; do [ -f "$K/pki/$c.crt" ] && echo "$K/pki/$c.crt"; done
  for c in ${RENEWED_KUBECONFIGS.join(" ")}; do [ -f "$K/$c.conf" ] && echo "$K/$c.conf"; done
  return 0
}

# "<path> (notAfter <date>)" for each certificate that expires within RENEW_BEFORE_DAYS (or cannot be read).
expiring() {
  managed | while read -r f; do
    # One call: notAfter on stdout, the verdict in the exit code.
    out=$(pem_of "$f" | openssl x509 -noout -enddate -checkend "$SECONDS_LEFT" 2>/dev/null)
    valid=$?
    end=$(sed -n 's/^notAfter=//p' <<<"$out")
    if [ -z "$end" ]; then
      echo "${"$"}{f#"$R"} (unreadable)"
    elif [ "$valid" -ne 0 ]; then
      echo "${"$"}{f#"$R"} (notAfter $end)"
    fi
  done
}

due=$(expiring)
if [ -z "$due" ]; then
  log "every kubeadm certificate is valid for more than $RENEW_BEFORE_DAYS days: nothing to do"
  exit 0
fi
oneline() { paste -sd';' | sed 's/;/; /g'; }
log "certificates expiring within $RENEW_BEFORE_DAYS days: $(oneline <<<"$due")"

# kubeadm writes the new files in place: keep the old ones until the new ones are verified.
WORK=$(mktemp -d) || die "cannot create a temporary directory"
trap 'rm -rf -- "$WORK"' EXIT
backup() {
  managed | while read -r f; do
    key=${"$"}{f%.crt}.key
    mkdir -p "$WORK/backup$(dirname "$f")" && cp -a "$f" "$WORK/backup$f" || return 1
    if [ "$key" != "$f" ] && [ -f "$key" ]; then cp -a "$key" "$WORK/backup$key" || return 1; fi
  done
}
backup || die "cannot back up the certificates into $WORK"
restore() { cp -a "$WORK/backup$R/." "$R/" && log "restored the previous certificates"; }

if ! kubeadm certs renew all >>"$LOG" 2>&1; then
  restore
  die "kubeadm certs renew all failed (its output is above in $LOG); the running components keep the previous certificates"
fi
left=$(expiring)
if [ -n "$left" ]; then
  restore
  die "still expiring within $RENEW_BEFORE_DAYS days after kubeadm certs renew all: $(oneline <<<"$left")"
fi
log "renewed: $(managed | while read -r f; do echo "${"$"}{f#"$R"} until $(pem_of "$f" | openssl x509 -noout -enddate | cut -d= -f2)"; done | oneline)"

# Health endpoints on this node, each verifying the new serving certificate where it is kubeadm's.
healthy() {
  case "$1" in
  etcd) curl -sf --max-time 5 --cacert "$K/pki/etcd/ca.crt" --cert "$K/pki/etcd/healthcheck-client.crt" --key "$K/pki/etcd/healthcheck-client.key" https://127.0.0.1:2379/health ;;
  # "kubernetes" is in every kubeadm API server certificate; the server listens on every address.
  kube-apiserver) curl -sf --max-time 5 --cacert "$K/pki/ca.crt" --resolve kubernetes:6443:127.0.0.1 https://kubernetes:6443/livez ;;
  # Their serving certificates are self-signed in memory (not kubeadm's): only liveness is checked.
  kube-controller-manager) curl -sfk --max-time 5 https://127.0.0.1:10257/healthz ;;
  kube-scheduler) curl -sfk --max-time 5 https://127.0.0.1:10259/healthz ;;
  esac >/dev/null 2>&1
}
# The id of the component's running container; fails when crictl cannot tell (then nothing is restarted blind).
container() { crictl ps --name "^$1\$" -q 2>/dev/null | head -1; }
within() { # within SECONDS COMMAND...: retries the command every 2 s
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 2
  done
}
gone() { id=$(container "$1") && [ -z "$id" ]; }
# A container other than the one before, and the component answers: the new files are loaded.
replaced() { id=$(container "$1") && [ -n "$id" ] && [ "$id" != "$2" ] && healthy "$1"; }

# As kubeadm upgrade does: the kubelet stops a static pod whose manifest leaves the folder and starts it
# again when it returns. The manifest always goes back, whatever happens in between.
PAUSED=$K/tmp/k8s-cert-renewal
restart() {
  local manifest=$K/manifests/$1.yaml before
  [ -f "$manifest" ] || { log "no $manifest: $1 is not a static pod here, skipped"; return 0; }
  before=$(container "$1")
  [ -n "$before" ] || { log "crictl shows no running $1 container: not restarting it blind"; return 1; }
  mkdir -p "$PAUSED" && mv "$manifest" "$PAUSED/" || return 1
  within "$STEP_TIMEOUT_SECONDS" gone "$1" || log "warning: $1's container still runs $STEP_TIMEOUT_SECONDS s after its manifest left"
  mv "$PAUSED/$1.yaml" "$manifest" || return 1
  within "$STEP_TIMEOUT_SECONDS" replaced "$1" "$before" || return 1
  log "restarted $1 with the renewed certificates: healthy"
}
for pod in ${RESTARTED_STATIC_PODS.join(" ")}; do
  restart "$pod" || die "$pod did not come back healthy within $STEP_TIMEOUT_SECONDS s (crictl ps -a; crictl logs); the next components were not restarted: they keep running with their previous, still valid certificates"
done
log "done: kubeadm certificates renewed, static pods restarted one at a time; the kubelet rotates its own client certificate"
`;
}

/** Runs the script once; the timer starts it. */
export function certRenewalService(renewBeforeDays: number): string {
  return `[Unit]
Description=Renew the kubeadm certificates expiring within ${renewBeforeDays} days
Documentation=file://${CERT_RENEWAL_SCRIPT_PATH}
After=kubelet.service containerd.service

[Service]
Type=oneshot
ExecStart=${CERT_RENEWAL_SCRIPT_PATH} ${renewBeforeDays}
TimeoutStartSec=30min
`;
}

/**
 * Daily, in a window of its own per control-plane node (node n from 01:00 + 2n hours, randomized within
 * the hour): nodes built together renew on the same day, and two of them must never restart etcd at once.
 */
export function certRenewalTimer(nodeIndex: number): string {
  const hour = String((1 + 2 * nodeIndex) % 24).padStart(2, "0");
  return `[Unit]
Description=Daily check of the kubeadm certificates (${CERT_RENEWAL_SERVICE})

[Timer]
OnCalendar=*-*-* ${hour}:00:00
RandomizedDelaySec=1h
AccuracySec=1m

[Install]
WantedBy=timers.target
`;
}
