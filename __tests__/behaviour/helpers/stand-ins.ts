import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Stand-ins for what cannot run here (kubeadm, kubectl, systemctl, modprobe, sysctl, logger): small
 * bash scripts first on PATH. Each appends "<time> <node> <command> <args>" to $LAB/commands.log.
 * The kubeadm stand-in does to the REAL etcd what kubeadm does: a new one-member cluster on init; on a
 * control-plane join, add a learner, start its etcd, promote it once in sync. The cluster's versions
 * are files in $LAB (like the objects kubeadm keeps in the API): cluster-version (kubeadm-config's
 * ClusterConfiguration kubernetesVersion, which Terraform also writes) and addons-version (kube-proxy's
 * image); a control plane's static pods are its kube-apiserver manifest. Joins and upgrades check them as
 * kubeadm does (KubeletVersion preflight, one minor at a time, no downgrade, not newer than kubeadm).
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
minor() { echo "$1" | cut -d. -f2; }
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n1)" = "$1" ]; }
static_pods() { # static_pods VERSION: this node's control plane at that version
  mkdir -p "$K/manifests"
  printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v%s\n' "$1" >"$K/manifests/kube-apiserver.yaml"
}
kubeconfig_arg() { while [ $# -gt 0 ]; do [ "$1" = --kubeconfig ] && { echo "$2"; return; }; shift; done; }
case "$1" in
config)
  # kubeadm config images list: the images of the version in the config; the restore reads etcd's name.
  [ "$2 $3" = "images list" ] || exit 2
  printf '%s\n' registry.k8s.io/kube-apiserver:v1.35.0 registry.k8s.io/etcd:3.6.6-0 registry.k8s.io/pause:3.10.1
  ;;
upgrade)
  kc=$(kubeconfig_arg "$@")
  [ -f "$kc" ] || { echo "[upgrade] cannot read $kc" >&2; exit 1; }
  current=$(cat "$LAB/cluster-version")
  case "$2" in
  apply)
    target=$(echo "$3" | sed "s/^v//")
    # kubeadm's version policy (EnforceVersionPolicies), against the version the cluster's add-ons run.
    addons=$(cat "$LAB/addons-version")
    newer "$target" "$KUBERNETES_VERSION" && { echo "[upgrade/version] FATAL: Specified version to upgrade to \"v$target\" is higher than the kubeadm version \"v$KUBERNETES_VERSION\"" >&2; exit 1; }
    [ $(( $(minor "$target") - $(minor "$addons") )) -gt 1 ] && { echo "[upgrade/version] FATAL: Specified version to upgrade to \"v$target\" is too high; kubeadm can upgrade only 1 minor version at a time" >&2; exit 1; }
    newer "$addons" "$target" && { echo "[upgrade/version] FATAL: Specified version to upgrade to \"v$target\" is an unsupported version downgrade from \"v$addons\"" >&2; exit 1; }
    case " $* " in *" --yes "*) ;; *) echo "[upgrade] Are you sure you want to proceed? [y/N]: aborted (no --yes)" >&2; exit 1 ;; esac
    static_pods "$target"
    echo "$target" >"$LAB/cluster-version" # upload-config: kubeadm-config, kubelet-config
    if [ -e "$LAB/fail-upgrade-addons" ]; then
      rm -f "$LAB/fail-upgrade-addons" # fails once, as the scenario asks
      echo "[upgrade/addons] error: timed out waiting for the condition (kube-proxy)" >&2; exit 1
    fi
    echo "$target" >"$LAB/addons-version"
    echo "[upgrade] SUCCESS! A control plane node of your cluster was upgraded to \"v$target\"."
    ;;
  node)
    newer "$current" "$KUBERNETES_VERSION" && { echo "[upgrade] kubeadm v$KUBERNETES_VERSION cannot upgrade to v$current" >&2; exit 1; }
    static_pods "$current"
    echo "[upgrade] The control plane instance for this node was successfully upgraded!"
    ;;
  *) exit 2 ;;
  esac
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
  static_pods "$KUBERNETES_VERSION"
  echo "$KUBERNETES_VERSION" >"$LAB/cluster-version"
  echo "$KUBERNETES_VERSION" >"$LAB/addons-version"
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
  # Preflight KubeletVersion, against the ClusterConfiguration in kubeadm-config.
  current=$(cat "$LAB/cluster-version")
  if [ "$(minor "$KUBERNETES_VERSION")" -gt "$(minor "$current")" ]; then
    echo "[ERROR KubeletVersion]: the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: \"$KUBERNETES_VERSION\" Control plane version: \"$current\"" >&2
    exit 1
  fi
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
    # The control plane kubeadm-config names (a scenario may make it lag, as if read before an upload).
    static_pods "$(printenv LAB_JOIN_CONTROL_PLANE_VERSION || echo "$current")"
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

/**
 * kubectl: records what it was asked to apply (there is no API server to apply it to); answers the two
 * reads of the upgrade step (kube-proxy's image, kubeadm-config's ClusterConfiguration) from the lab's files.
 */
const KUBECTL = String.raw`#!/bin/bash
${RECORD}
file=""
args=" $* "
while [ $# -gt 0 ]; do
  [ "$1" = -f ] && file=$2
  [ "$1" = --kubeconfig ] && { [ -f "$2" ] || { echo "error: stat $2: no such file or directory" >&2; exit 1; }; }
  shift
done
[ -n "$file" ] && cp "$file" "$LAB/applied-$NODE_NAME.yaml"
case "$args" in
*" get daemonset kube-proxy "*) printf 'registry.k8s.io/kube-proxy:v%s' "$(cat "$LAB/addons-version")" ;;
*" get configmap kubeadm-config "*) printf 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v%s\n' "$(cat "$LAB/cluster-version")" ;;
esac
exit 0
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
