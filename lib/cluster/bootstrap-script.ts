import { ETCD_SNAPSHOT_SCRIPT_PATH } from "../backups/etcd-snapshot";
import { UPGRADE_FUNCTIONS } from "./bootstrap-upgrade";
import { INIT_TOKEN_PLACEHOLDER, INIT_TOKEN_TTL } from "./kubeadm-config";

/**
 * The node bootstrap, as one bash script run once per instance by cloud-init (runcmd). Per-node
 * values come from /etc/kubernetes/bootstrap/bootstrap.env, so the script is identical on every node
 * and reviewable once. Design (README, "The cluster"):
 * - idempotent: a node with /etc/kubernetes/kubelet.conf is done, re-running is a no-op;
 * - `kubeadm init` only on the node rendered with MODE=init (the first control-plane node at revision 0,
 *   or at controlPlane.reinitializeAtRevision), and only if, for PEER_PROBE_SECONDS, neither the VIP nor
 *   any peer control-plane node (:2379 etcd, :6443 API) answers: otherwise it joins the existing cluster;
 * - joins wait for the API (CA-verified /readyz); control-plane nodes then wait for their turn in etcd
 *   (no learner pending and at least NODE_INDEX voting members besides themselves), so they join one
 *   after the other however long init took; all waits end at JOIN_TIMEOUT_SECONDS in one GIVING UP line;
 * - control-plane PKI is Terraform's: restored into /etc/kubernetes/pki before every attempt
 *   (kubeadm reset wipes it), so no certificate upload, no 2-hour certificate-key window;
 * - a rebuilt control-plane node removes its own stale etcd member (same name or peer URL) first;
 * - kube-vip gets its own credential (client certificate signed here by the cluster CA) bound to a
 *   leases-only Role the bootstrap creates; super-admin.conf is deleted once init is done;
 * - secrets written by cloud-init (CA keys, join token) are removed on every exit path (trap), and on
 *   failure the restored PKI too; each removal is logged;
 * - kubeadm init gets a throwaway token generated here (`kubeadm token generate`, never logged) and
 *   deleted right after init: the cluster's join token is Terraform's Secret (JoinToken);
 * - restore (controlPlane.restoreFromSnapshot, RESTORE_SNAPSHOT in bootstrap.env, init path only): etcd's
 *   data directory comes from the named snapshot (etcd-snapshot restore) before kubeadm init starts etcd on it;
 * - a joined control-plane node newer than the cluster upgrades it (bootstrap-upgrade.ts).
 * K8S_BOOTSTRAP_ROOT prefixes every path: for the behaviour tests only, unset on nodes.
 */
export const BOOTSTRAP_DIR = "/etc/kubernetes/bootstrap";
export const BOOTSTRAP_SCRIPT_PATH = "/usr/local/sbin/k8s-bootstrap";
export const BOOTSTRAP_LOG = "/var/log/k8s-bootstrap.log";

export function bootstrapScript(): string {
  // Literal bash; the only template substitutions are INIT_TOKEN_PLACEHOLDER, INIT_TOKEN_TTL, ETCD_SNAPSHOT_SCRIPT_PATH and UPGRADE_FUNCTIONS.
  return String.raw`#!/bin/bash
# Managed by the cluster bootstrap (lib/cluster/bootstrap-script.ts). Run by cloud-init, once.
set -uo pipefail
# Empty on nodes; a temporary root in the behaviour tests.
R=$(printenv K8S_BOOTSTRAP_ROOT)
K=$R/etc/kubernetes
B=$K/bootstrap
# shellcheck source=/dev/null
. "$B/bootstrap.env"
LOG=$R/var/log/k8s-bootstrap.log
CA=$B/ca.crt
IN_CLUSTER=0

# kubeadm's output lands in the log: root-only.
[ -e "$LOG" ] || install -m 0600 /dev/null "$LOG"
log() { printf '%s k8s-bootstrap %s: %s\n' "$(date -Is)" "$NODE_NAME" "$*" | tee -a "$LOG"; logger -t k8s-bootstrap -- "$*"; }
die() { log "GIVING UP: $*"; exit 1; }

if [ -f "$K/kubelet.conf" ]; then
  log "already in the cluster ($K/kubelet.conf exists): nothing to do"
  exit 0
fi

# Secrets never outlive this run: the CA keys and join token cloud-init wrote, what was derived from
# them, and, unless kubeadm made this node a member, the PKI restored for kubeadm.
remove() {
  for f in "$@"; do
    [ -e "$f" ] || continue
    rm -rf -- "$f" && log "removed secret $f"
  done
}
WORK=$(mktemp -d) || die "cannot create a temporary directory"
cleanup() {
  remove "$B/pki" "$B/kubeadm-init.yaml" "$B/kubeadm-join.yaml" "$WORK"
  [ "$IN_CLUSTER" = 1 ] || remove "$K/pki" "$K/kube-vip.conf" "$K/super-admin.conf" "$K/admin.conf"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

modprobe -a overlay br_netfilter || die "cannot load kernel modules overlay, br_netfilter"
sysctl --system >/dev/null || die "cannot apply sysctls"
systemctl enable containerd kubelet || die "cannot enable containerd/kubelet"
systemctl restart containerd || die "containerd does not start with /etc/containerd/config.toml"

# Pin the cluster CA for discovery: SHA-256 of its DER SubjectPublicKeyInfo, as kubeadm computes it.
HASH=$(openssl x509 -pubkey -noout -in "$CA" | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1)
[ "$(printf '%s' "$HASH" | wc -c)" -eq 64 ] || die "cannot hash the CA certificate $CA"
sed -i "s/sha256:__CA_PUBLIC_KEY_SHA256__/sha256:$HASH/" "$B/kubeadm-join.yaml"

api_ready() { curl -sf --max-time 5 --cacert "$CA" "https://$API_VIP:6443/readyz" >/dev/null 2>&1; }

# Something accepts connections on a peer's etcd or API port: that peer is a member of this cluster.
# shellcheck disable=SC2016 # $0/$1 expand in the inner bash
answering_peer() {
  for ip in $CONTROL_PLANE_PEERS; do
    for port in 2379 6443; do
      if timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$ip" "$port" 2>/dev/null; then
        echo "$ip:$port"
        return 0
      fi
    done
  done
  return 1
}

# Retries the command RETRY_SECONDS apart; fails at the join deadline.
wait_until() {
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep "$RETRY_SECONDS"
  done
}

# sign_client_cert NAME CN CA_DIR DAYS: $WORK/NAME.crt and NAME.key, a client certificate from that CA.
sign_client_cert() {
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$WORK/$1.key" -out "$WORK/$1.csr" 2>/dev/null &&
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >"$WORK/$1.ext" &&
    openssl x509 -req -in "$WORK/$1.csr" -CA "$3/ca.crt" -CAkey "$3/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
      -days "$4" -extfile "$WORK/$1.ext" -out "$WORK/$1.crt" 2>/dev/null
}

restore_pki() {
  install -d -m 0700 "$K/pki" "$K/pki/etcd" &&
    cp -a "$B/pki/." "$K/pki/"
}

# kube-vip's own kubeconfig: user kube-vip, allowed only its Lease (Role kube-vip), never admin.
# Ten years, like the CA: a credential that expires would silently take the VIP down.
kube_vip_credential() {
  sign_client_cert kube-vip kube-vip "$K/pki" 3650 || return 1
  (
    umask 077
    cat >"$K/kube-vip.conf" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
    server: https://kubernetes:6443
    certificate-authority-data: $(base64 -w0 <"$K/pki/ca.crt")
users:
- name: kube-vip
  user:
    client-certificate-data: $(base64 -w0 <"$WORK/kube-vip.crt")
    client-key-data: $(base64 -w0 <"$WORK/kube-vip.key")
contexts:
- name: kube-vip
  context:
    cluster: kubernetes
    user: kube-vip
current-context: kube-vip
EOF
  )
}

install_kube_vip() {
  install -d -m 0755 "$K/manifests" &&
    install -m 0600 "$1" "$K/manifests/kube-vip.yaml"
}

# The Role/RoleBinding behind kube-vip's credential, created with admin.conf (idempotent).
grant_kube_vip() {
  for _ in 1 2 3 4 5 6; do
    if kubectl --kubeconfig "$K/admin.conf" apply -f "$B/kube-vip-rbac.yaml" >>"$LOG" 2>&1; then
      log "kube-vip's Role and RoleBinding (leases in kube-system) are in place"
      return 0
    fi
    sleep "$RETRY_SECONDS"
  done
  return 1
}

# kubeadm init's throwaway token goes as soon as init is done (by id: the secret half never reaches a
# command line). If the API refuses, the token's short ttl still ends it.
delete_init_token() {
  for _ in 1 2 3 4 5 6; do
    if kubeadm token delete --kubeconfig "$K/admin.conf" "$1" >>"$LOG" 2>&1; then
      log "deleted kubeadm init's throwaway token $1"
      return 0
    fi
    sleep "$RETRY_SECONDS"
  done
  log "warning: cannot delete kubeadm init's throwaway token $1 (see $LOG); it expires ${INIT_TOKEN_TTL} after init (kubeadm token delete $1 on a control-plane node ends it sooner)"
}

# etcd through its JSON gateway on the first peer that answers, with a client certificate from the
# etcd CA. Removes this node's stale member (a rebuilt node keeps its name and IP, and etcd refuses a
# second member with the same peer URL), then succeeds only when this node may join: no learner or
# unstarted member pending (etcd admits one learner at a time) and at least NODE_INDEX voting members
# besides this node, so control-plane nodes join in order, each once the one before is promoted.
# shellcheck disable=SC2086 # CONTROL_PLANE_PEERS is a space-separated list of IPs, split on purpose
etcd_turn() {
  python3 - "$WORK" "$B/pki/etcd/ca.crt" "$NODE_NAME" "$NODE_IP" "$NODE_INDEX" $CONTROL_PLANE_PEERS <<'PY'
import json, ssl, sys, urllib.request
work, ca, name, ip, index, peers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6:]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(work + "/etcd-client.crt", work + "/etcd-client.key")
def call(peer, path, body):
    req = urllib.request.Request("https://%s:2379%s" % (peer, path), json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.load(r)
errors = []
for peer in peers:
    try:
        members = call(peer, "/v3/cluster/member/list", {}).get("members", [])
    except Exception as e:
        errors.append("%s: %s" % (peer, e))
        continue
    mine = [m for m in members if m.get("name") == name or "https://%s:2380" % ip in m.get("peerURLs", [])]
    for m in mine:
        call(peer, "/v3/cluster/member/remove", {"ID": m["ID"]})
        print("removed stale etcd member %s (%s) via %s" % (m["ID"], m.get("name") or "never started", peer))
    others = [m for m in members if m not in mine]
    voting = [m for m in others if m.get("name") and not m.get("isLearner")]
    pending = [m.get("name") or " ".join(m.get("peerURLs", [])) for m in others if m not in voting]
    print("etcd via %s: %d voting member(s)%s; this node joins at %d" % (peer, len(voting), ", pending: " + ", ".join(pending) if pending else "", index))
    sys.exit(0 if len(voting) >= index and not pending else 1)
print("no etcd peer answers: " + ("; ".join(errors) or "no control-plane peers"))
sys.exit(1)
PY
}
# controlPlane.restoreFromSnapshot: etcd's data directory from the named snapshot, as this node's single
# member, before kubeadm init starts etcd on it (kubeadm keeps an existing /var/lib/etcd when told to).
# The etcd image's name comes from the init config: there is no etcd manifest yet.
INIT_FLAGS=""
restore_etcd_snapshot() {
  log "restoring etcd from snapshot $RESTORE_SNAPSHOT (controlPlane.restoreFromSnapshot) before kubeadm init"
  local image
  image=$(kubeadm config images list --config "$B/kubeadm-init.yaml" 2>>"$LOG" | grep -m1 '/etcd:') || return 1
  ETCD_IMAGE=$image "$R${ETCD_SNAPSHOT_SCRIPT_PATH}" restore "$RESTORE_SNAPSHOT" >>"$LOG" 2>&1 || return 1
  INIT_FLAGS="--ignore-preflight-errors=DirAvailable--var-lib-etcd"
  log "etcd restored from $RESTORE_SNAPSHOT: kubeadm init runs on that data"
}

last_turn=""
my_turn() {
  out=$(etcd_turn 2>&1)
  rc=$?
  [ "$out" = "$last_turn" ] || log "$out"
  last_turn=$out
  return "$rc"
}
${UPGRADE_FUNCTIONS}
if [ "$MODE" = init ]; then
  log "probing the VIP and the control-plane peers ($CONTROL_PLANE_PEERS) for $PEER_PROBE_SECONDS s before kubeadm init"
  probe_end=$((SECONDS + PEER_PROBE_SECONDS))
  while :; do
    if api_ready; then
      log "the API on $API_VIP already answers: joining that cluster instead of creating one"
      MODE="join"
      break
    fi
    if peer=$(answering_peer); then
      log "refusing kubeadm init: control-plane peer $peer answers, so this cluster exists (its VIP is down); joining it instead"
      MODE="join"
      break
    fi
    [ "$SECONDS" -lt "$probe_end" ] || break
    sleep "$RETRY_SECONDS"
  done
fi

if [ "$MODE" = init ]; then
  log "neither the VIP nor a control-plane peer answered within $PEER_PROBE_SECONDS s: creating the cluster"
  restore_pki || die "cannot restore the cluster PKI into $K/pki"
  kube_vip_credential || die "cannot create kube-vip's credential"
  # During init only super-admin.conf works (admin.conf is authorized once init has bound it).
  install_kube_vip "$B/kube-vip-init.yaml" || die "cannot install the kube-vip manifest"
  # kubeadm init always creates a bootstrap token; this throwaway one lives only in the init config
  # (removed on exit) and is deleted below. Nodes join with Terraform's token once its Secret exists.
  init_token=$(kubeadm token generate 2>>"$LOG") || die "kubeadm token generate failed (see $LOG)"
  printf '%s' "$init_token" | grep -Eqx '[a-z0-9]{6}\.[a-z0-9]{16}' || die "kubeadm token generate printed no token"
  sed -i "s/${INIT_TOKEN_PLACEHOLDER}/$init_token/" "$B/kubeadm-init.yaml" || die "cannot write the init token into $B/kubeadm-init.yaml"
  if [ -n "$RESTORE_SNAPSHOT" ]; then
    restore_etcd_snapshot || die "cannot restore etcd from snapshot $RESTORE_SNAPSHOT (details in $LOG); check the key (README: Restoring the control plane from an etcd snapshot)"
  fi
  log "kubeadm init (revision $NODE_REVISION)"
  # --skip-token-print: the init token never reaches the log. INIT_FLAGS: empty, or one flag (a restore).
  # shellcheck disable=SC2086
  kubeadm init --config "$B/kubeadm-init.yaml" --skip-token-print $INIT_FLAGS >>"$LOG" 2>&1 ||
    die "kubeadm init failed (details above in $LOG). Fix the cause, then re-initialize: set controlPlane.reinitializeAtRevision to $((NODE_REVISION + 1)) and nodeRevisions[\"$NODE_NAME\"] to $((NODE_REVISION + 1)), and rebuild the other nodes (README: Re-initializing a cluster)"
  IN_CLUSTER=1
  delete_init_token "$(printf '%s' "$init_token" | cut -d. -f1)"
  grant_kube_vip || die "cannot create kube-vip's Role with $K/admin.conf; kube-vip keeps super-admin.conf until it exists (see $LOG)"
  install_kube_vip "$B/kube-vip.yaml" || die "cannot switch kube-vip to its own kubeconfig"
  remove "$K/super-admin.conf"
  log "cluster initialized"
  exit 0
fi

deadline=$((SECONDS + JOIN_TIMEOUT_SECONDS))
if [ "$ROLE" = control-plane ]; then
  sign_client_cert etcd-client "k8s-bootstrap-$NODE_NAME" "$B/pki/etcd" 1 || die "cannot sign an etcd client certificate"
fi
attempt=0
while :; do
  attempt=$((attempt + 1))
  wait_until api_ready || die "the API https://$API_VIP:6443 did not become ready within $JOIN_TIMEOUT_SECONDS s"
  if [ "$ROLE" = control-plane ]; then
    wait_until my_turn || die "no turn to join etcd within $JOIN_TIMEOUT_SECONDS s (last: $last_turn)"
    restore_pki || die "cannot restore the cluster PKI into $K/pki"
    kube_vip_credential || die "cannot create kube-vip's credential"
    install_kube_vip "$B/kube-vip.yaml" || die "cannot install the kube-vip manifest"
  fi
  log "kubeadm join (attempt $attempt, kubelet v$KUBERNETES_VERSION)"
  if kubeadm join --config "$B/kubeadm-join.yaml" >>"$LOG" 2>&1; then
    IN_CLUSTER=1
    if [ "$ROLE" = control-plane ]; then
      grant_kube_vip || log "warning: cannot apply kube-vip's Role (the first node created it; see $LOG)"
      converge_control_plane_version
    fi
    log "joined the cluster"
    exit 0
  fi
  log "kubeadm join attempt $attempt failed (details in $LOG): resetting and retrying"
  kubeadm reset -f >>"$LOG" 2>&1
  [ "$SECONDS" -lt "$deadline" ] || die "kubeadm join failed $attempt times within $JOIN_TIMEOUT_SECONDS s (see $LOG)"
  sleep "$RETRY_SECONDS"
done
`;
}
