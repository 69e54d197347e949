/**
 * The node bootstrap, as one bash script run once per instance by cloud-init (runcmd). Per-node
 * values come from /etc/kubernetes/bootstrap/bootstrap.env, so the script is identical on every node
 * and reviewable once. Design (see README, "Cluster bootstrap"):
 * - idempotent: a node with /etc/kubernetes/kubelet.conf is done, re-running is a no-op;
 * - only the first control-plane node at revision 0 may `kubeadm init`, and only if nothing answers
 *   on the VIP (a rebuilt first node joins the running cluster instead of creating a second one);
 * - joins wait for the API (CA-verified /readyz) and retry with `kubeadm reset` in between, bounded
 *   by JOIN_TIMEOUT_SECONDS, then log one "GIVING UP" line and exit 1;
 * - control-plane PKI is Terraform's: restored into /etc/kubernetes/pki before every attempt
 *   (kubeadm reset wipes it), so no certificate upload, no 2-hour certificate-key window;
 * - a rebuilt control-plane node first removes its own stale etcd member (same name or IP), else
 *   etcd refuses the new member;
 * - secrets written by cloud-init are deleted once the node is in the cluster.
 */
export const BOOTSTRAP_DIR = "/etc/kubernetes/bootstrap";
export const BOOTSTRAP_SCRIPT_PATH = "/usr/local/sbin/k8s-bootstrap";

export function bootstrapScript(): string {
  return String.raw`#!/bin/bash
# Managed by the cluster bootstrap (lib/cluster/bootstrap-script.ts). Run by cloud-init, once.
set -uo pipefail
B=/etc/kubernetes/bootstrap
# shellcheck source=/dev/null
. "$B/bootstrap.env"
LOG=/var/log/k8s-bootstrap.log
CA="$B/ca.crt"

log() { printf '%s k8s-bootstrap %s: %s\n' "$(date -Is)" "$NODE_NAME" "$*" | tee -a "$LOG"; logger -t k8s-bootstrap -- "$*"; }
die() { log "GIVING UP: $*"; exit 1; }

if [ -f /etc/kubernetes/kubelet.conf ]; then
  log "already in the cluster (/etc/kubernetes/kubelet.conf exists): nothing to do"
  exit 0
fi

modprobe -a overlay br_netfilter || die "cannot load kernel modules overlay, br_netfilter"
sysctl --system >/dev/null || die "cannot apply sysctls"
systemctl enable containerd kubelet || die "cannot enable containerd/kubelet"
systemctl restart containerd || die "containerd does not start with /etc/containerd/config.toml"

# Pin the cluster CA for discovery: SHA-256 of its DER SubjectPublicKeyInfo, as kubeadm computes it.
HASH=$(openssl x509 -pubkey -noout -in "$CA" | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1)
[ "$(printf '%s' "$HASH" | wc -c)" -eq 64 ] || die "cannot hash the CA certificate $CA"
sed -i "s/sha256:__CA_PUBLIC_KEY_SHA256__/sha256:$HASH/" "$B/kubeadm-join.yaml"

api_ready() { curl -sf --max-time 5 --cacert "$CA" "https://$API_VIP:6443/readyz" >/dev/null 2>&1; }

restore_pki() {
  [ "$ROLE" = control-plane ] || return 0
  install -d -m 0700 /etc/kubernetes/pki /etc/kubernetes/pki/etcd
  cp -a "$B/pki/." /etc/kubernetes/pki/
}

install_kube_vip() {
  [ "$ROLE" = control-plane ] || return 0
  install -d -m 0755 /etc/kubernetes/manifests
  install -m 0600 "$1" /etc/kubernetes/manifests/kube-vip.yaml
}

# A rebuilt control-plane node keeps its name and IP: remove the etcd member it left behind, with a
# short-lived client certificate from the etcd CA, through etcd's JSON gateway on a peer.
# shellcheck disable=SC2086 # CONTROL_PLANE_PEERS is a space-separated list of IPs, split on purpose
forget_stale_etcd_member() {
  [ "$ROLE" = control-plane ] || return 0
  t=$(mktemp -d) || return 0
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=k8s-bootstrap-$NODE_NAME" -keyout "$t/key" -out "$t/csr" 2>/dev/null &&
    printf 'extendedKeyUsage=clientAuth\n' >"$t/ext" &&
    openssl x509 -req -in "$t/csr" -CA "$B/pki/etcd/ca.crt" -CAkey "$B/pki/etcd/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
      -days 1 -extfile "$t/ext" -out "$t/crt" 2>/dev/null &&
    python3 - "$t" "$B/pki/etcd/ca.crt" "$NODE_NAME" "$NODE_IP" $CONTROL_PLANE_PEERS <<'PY' 2>&1 | tee -a "$LOG"
import json, ssl, sys, urllib.request
tmp, ca, name, ip, peers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(tmp + "/crt", tmp + "/key")
def call(peer, path, body):
    req = urllib.request.Request("https://" + peer + ":2379" + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.load(r)
for peer in peers:
    try:
        members = call(peer, "/v3/cluster/member/list", {}).get("members", [])
    except Exception as e:
        print("etcd peer %s: %s" % (peer, e))
        continue
    for m in members:
        if m.get("name") == name or "https://%s:2380" % ip in m.get("peerURLs", []):
            print("removing stale etcd member %s (%s) via %s" % (m.get("ID"), m.get("name"), peer))
            call(peer, "/v3/cluster/member/remove", {"ID": m["ID"]})
    break
PY
  rm -rf "$t"
}

cleanup() {
  rm -rf "$B/pki" "$B/kubeadm-init.yaml" "$B/kubeadm-join.yaml"
}

if [ "$MODE" = init ]; then
  for _ in 1 2 3 4 5 6; do
    if api_ready; then
      log "the API on $API_VIP already answers: joining that cluster instead of creating one"
      MODE="join"
      break
    fi
    sleep 5
  done
fi

if [ "$MODE" = init ]; then
  restore_pki
  install_kube_vip "$B/kube-vip-init.yaml"
  log "kubeadm init"
  kubeadm init --config "$B/kubeadm-init.yaml" >>"$LOG" 2>&1 || die "kubeadm init failed (details above in $LOG); fix the cause, then rebuild this node through nodeRevisions"
  # kube-vip leaves super-admin.conf (system:masters) for the normal admin.conf.
  install_kube_vip "$B/kube-vip.yaml"
  cleanup
  log "cluster initialized"
  exit 0
fi

deadline=$((SECONDS + JOIN_TIMEOUT_SECONDS))
# Control-plane nodes join one after the other (etcd adds one member at a time).
sleep "$JOIN_DELAY_SECONDS"
attempt=0
while :; do
  attempt=$((attempt + 1))
  until api_ready; do
    [ "$SECONDS" -lt "$deadline" ] || die "the API https://$API_VIP:6443 did not become ready within $JOIN_TIMEOUT_SECONDS s"
    sleep 10
  done
  restore_pki
  install_kube_vip "$B/kube-vip.yaml"
  forget_stale_etcd_member
  log "kubeadm join (attempt $attempt)"
  if kubeadm join --config "$B/kubeadm-join.yaml" >>"$LOG" 2>&1; then
    cleanup
    log "joined the cluster"
    exit 0
  fi
  log "kubeadm join attempt $attempt failed (details in $LOG): resetting and retrying"
  kubeadm reset -f >>"$LOG" 2>&1
  [ "$SECONDS" -lt "$deadline" ] || die "kubeadm join failed $attempt times within $JOIN_TIMEOUT_SECONDS s (see $LOG)"
  sleep 30
done
`;
}
