import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Stand-ins for what cannot run here (kubeadm, kubectl, systemctl, modprobe, sysctl, logger): small
 * bash scripts first on PATH. Each appends "<time> <node> <command> <args>" to $LAB/commands.log.
 * The kubeadm stand-in does to the REAL etcd what kubeadm does: a new one-member cluster on init; on a
 * control-plane join, add a learner, start its etcd, promote it once in sync.
 */
const RECORD = String.raw`
. "$K8S_BOOTSTRAP_ROOT/etc/kubernetes/bootstrap/bootstrap.env"
echo "$(date +%s.%N) $NODE_NAME $(basename "$0") $*" >>"$LAB/commands.log"
`;

const KUBEADM = String.raw`#!/bin/bash
set -u
${RECORD}
K=$K8S_BOOTSTRAP_ROOT/etc/kubernetes
etcdctl() { ETCDCTL_API=3 command etcdctl --cacert "$LAB/ca/etcd/ca.crt" --cert "$LAB/certs/etcd-client.crt" --key "$LAB/certs/etcd-client.key" --dial-timeout 2s --command-timeout 5s "$@"; }
start_etcd() { # start_etcd new|existing INITIAL_CLUSTER [DATA_DIR]
  mkdir -p "$LAB/etcd-data"
  if [ $# -ge 3 ]; then data_dir=$3; else data_dir=$(mktemp -d "$LAB/etcd-data/$NODE_NAME.XXXX"); fi
  setsid etcd --name "$NODE_NAME" --data-dir "$data_dir" \
    --listen-client-urls "https://$NODE_IP:2379" --advertise-client-urls "https://$NODE_IP:2379" \
    --listen-peer-urls "https://$NODE_IP:2380" --initial-advertise-peer-urls "https://$NODE_IP:2380" \
    --initial-cluster "$2" --initial-cluster-state "$1" --initial-cluster-token lab \
    --cert-file "$LAB/certs/etcd-server.crt" --key-file "$LAB/certs/etcd-server.key" --trusted-ca-file "$LAB/ca/etcd/ca.crt" --client-cert-auth \
    --peer-cert-file "$LAB/certs/etcd-server.crt" --peer-key-file "$LAB/certs/etcd-server.key" --peer-trusted-ca-file "$LAB/ca/etcd/ca.crt" --peer-client-cert-auth \
    >>"$LAB/etcd-$NODE_NAME.log" 2>&1 </dev/null &
  echo $! >"$LAB/etcd-$NODE_NAME.pid"
}
case "$1" in
config)
  # kubeadm config images list: the images of the version in the config; the restore reads etcd's name.
  [ "$2 $3" = "images list" ] || exit 2
  printf '%s\n' registry.k8s.io/kube-apiserver:v1.35.0 registry.k8s.io/etcd:3.6.6-0 registry.k8s.io/pause:3.10.1
  ;;
token)
  case "$2" in
  # Like kubeadm: a fresh random token on stdout (kept for the test to look for later).
  generate) t="$(tr -dc 'a-z0-9' </dev/urandom | head -c 6).$(tr -dc 'a-z0-9' </dev/urandom | head -c 16)"; echo "$t" | tee "$LAB/init-token-$NODE_NAME" ;;
  delete) [ -z "$(printenv LAB_FAIL_TOKEN_DELETE)" ] || { echo "failed to delete bootstrap token: connection refused" >&2; exit 1; }
    echo "bootstrap token \"$5\" deleted" ;;
  *) exit 2 ;;
  esac
  ;;
init)
  [ -z "$(printenv LAB_FAIL_INIT)" ] || { echo "[init] stand-in fails, as the scenario asks" >&2; exit 1; }
  # The init config must carry a real token by now (the placeholder substituted), never Terraform's.
  grep -Eq '^ *- token: [a-z0-9]{6}\.[a-z0-9]{16}$' "$3" || { echo "[init] no generated token in $3" >&2; exit 1; }
  cmp -s "$K/pki/ca.key" "$LAB/ca/cluster/ca.key" || { echo "[init] no Terraform CA key in $K/pki: kubeadm would create a new CA" >&2; exit 1; }
  grep -q /etc/kubernetes/super-admin.conf "$K/manifests/kube-vip.yaml" || { echo "[init] kube-vip cannot work during init without super-admin.conf" >&2; exit 1; }
  # Like kubeadm: an existing /var/lib/etcd stops init unless its preflight check is ignored (a restore),
  # and then etcd starts on that data.
  data=$K8S_BOOTSTRAP_ROOT/var/lib/etcd
  if [ -d "$data/member" ]; then
    case " $* " in *" --ignore-preflight-errors=DirAvailable--var-lib-etcd "*) ;; *) echo "[preflight] DirAvailable--var-lib-etcd: $data is not empty" >&2; exit 1 ;; esac
    start_etcd new "$NODE_NAME=https://$NODE_IP:2380" "$data"
  else
    start_etcd new "$NODE_NAME=https://$NODE_IP:2380"
  fi
  for _ in $(seq 100); do etcdctl --endpoints "https://$NODE_IP:2379" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
  for f in admin.conf super-admin.conf kubelet.conf; do echo "# stand-in $f" >"$K/$f"; done
  touch "$LAB/api-up" # the API server now answers through the VIP
  # Like kubeadm: the join command, token included, unless told not to.
  case " $* " in *" --skip-token-print "*) ;; *) echo "kubeadm join $API_VIP:6443 --token $(sed -n 's/^ *token: *//p' "$3" | head -1)" ;; esac
  ;;
join)
  config=$3
  hash=$(openssl x509 -pubkey -noout -in "$LAB/ca/cluster/ca.crt" | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1)
  grep -q "sha256:$hash" "$config" || { echo "[discovery] $config does not pin the cluster CA" >&2; exit 1; }
  if grep -q '^controlPlane:' "$config"; then
    cmp -s "$K/pki/etcd/ca.key" "$LAB/ca/etcd/ca.key" || { echo "[etcd] no etcd CA key in $K/pki" >&2; exit 1; }
    # Like kubeadm, retry while etcd refuses ("unhealthy cluster" right after a promotion).
    out=""
    for _ in $(seq 10); do
      for peer in $CONTROL_PLANE_PEERS; do
        if out=$(etcdctl --endpoints "https://$peer:2379" member add "$NODE_NAME" --learner --peer-urls "https://$NODE_IP:2380"); then break 2; fi
        out=""
      done
      sleep 1
    done
    [ -n "$out" ] || { echo "[etcd] cannot add a learner" >&2; exit 1; }
    # etcdctl prints the id with %16x: ids below 2^60 come space-padded ("Member  716e99cde59727c added").
    id=$(printf '%s\n' "$out" | sed -n 's/^Member  *\([0-9a-f]*\) added.*/\1/p')
    [ -n "$id" ] || { echo "[etcd] no member id in: $out" >&2; exit 1; }
    start_etcd existing "$(printf '%s\n' "$out" | sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p')"
    promoted=0
    for _ in $(seq 150); do
      if etcdctl --endpoints "https://$peer:2379" member promote "$id" >/dev/null 2>&1; then promoted=1; break; fi
      sleep 0.2
    done
    [ "$promoted" = 1 ] || { echo "[etcd] learner $id not promoted" >&2; exit 1; }
    echo "# stand-in admin.conf" >"$K/admin.conf"
  fi
  echo "# stand-in kubelet.conf" >"$K/kubelet.conf"
  echo "$(date +%s.%N) $NODE_NAME kubeadm-joined" >>"$LAB/commands.log"
  ;;
reset)
  rm -rf "$K/pki" "$K/admin.conf" "$K/kubelet.conf"
  ;;
*)
  exit 2
  ;;
esac
`;

/** kubectl: records what it was asked to apply (there is no API server to apply it to). */
const KUBECTL = String.raw`#!/bin/bash
${RECORD}
file=""
while [ $# -gt 0 ]; do [ "$1" = -f ] && file=$2; shift; done
[ -n "$file" ] && cp "$file" "$LAB/applied-$NODE_NAME.yaml"
`;

const SUCCEED = String.raw`#!/bin/bash
${RECORD}
`;

/** Writes the stand-ins into `<lab>/bin` and returns that directory (put it first on PATH). */
export function writeStandIns(lab: string): string {
  const bin = join(lab, "bin");
  mkdirSync(bin, { recursive: true });
  const scripts: Record<string, string> = { kubeadm: KUBEADM, kubectl: KUBECTL, systemctl: SUCCEED, modprobe: SUCCEED, sysctl: SUCCEED, logger: SUCCEED, kubelet: SUCCEED };
  for (const [name, text] of Object.entries(scripts)) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}
