/**
 * The upgrade step of the node bootstrap (bootstrap-script.ts), in functions of its own: a Kubernetes
 * upgrade is a rolling replacement (Cluster API's KubeadmControlPlane), never commands over SSH.
 * - Terraform names the control plane's target version in kube-system/kubeadm-config first
 *   (KubeadmCluster.kubeadmConfig), so a control-plane node rebuilt from the new template joins with
 *   static pods of its own version (until then kubeadm's KubeletVersion preflight refuses the join and the
 *   join loop retries);
 * - after joining, the first such node finds kube-proxy (which only `kubeadm upgrade apply` moves) older
 *   than itself: it is the upgrade leader and runs `kubeadm upgrade apply v<its version>` (kubeadm-config,
 *   kubelet-config, RBAC, CoreDNS, kube-proxy); kubeadm's own checks refuse a skipped minor or a downgrade;
 * - the next ones find the add-ons at their version: followers, which only bring their own static pods to
 *   the kubeadm-config version (`kubeadm upgrade node`) if they lag it;
 * - every pass is idempotent and retried until the join deadline, so a leader that failed mid-upgrade
 *   converges on its next pass, or, once it gave up, its rebuild (or the next node's) does;
 * - workers just join, at their template's version (config validation keeps it within the skew policy).
 * Literal bash, no `${`: it is interpolated into the bootstrap's template literal.
 */
export const UPGRADE_FUNCTIONS = String.raw`
# --- Upgrade by rolling replacement (lib/cluster/bootstrap-upgrade.ts) ---
# x.y.z of an image reference's tag: registry.k8s.io/kube-proxy:v1.34.2 -> 1.34.2
image_version() { sed -n 's/^.*:v\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' | head -n1; }
# True when version $1 is older than $2.
older_than() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$1" ]; }
admin_kubectl() { kubectl --kubeconfig "$K/admin.conf" -n kube-system "$@" 2>>"$LOG"; }
# kube-proxy's version: what the last kubeadm upgrade apply (or init) brought the cluster's add-ons to.
cluster_addon_version() { admin_kubectl get daemonset kube-proxy -o jsonpath='{.spec.template.spec.containers[0].image}' | image_version; }
# The version kubeadm-config's ClusterConfiguration names (what joins and kubeadm upgrade node deploy).
cluster_config_version() {
  admin_kubectl get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}' |
    sed -n 's/^kubernetesVersion: *v\([0-9.]*\)$/\1/p'
}
# The version of this node's static pods.
local_control_plane_version() { sed -n 's/^ *image: *\([^ ]*kube-apiserver:v[0-9.]*\)$/\1/p' "$K/manifests/kube-apiserver.yaml" 2>/dev/null | image_version; }

# One pass: 0 converged, 1 to retry, 2 never (this node is older than the cluster).
upgrade_pass() {
  addons=$(cluster_addon_version)
  [ -n "$addons" ] || { log "cannot read kube-system/kube-proxy's version with $K/admin.conf (see $LOG)"; return 1; }
  if older_than "$KUBERNETES_VERSION" "$addons"; then return 2; fi
  if older_than "$addons" "$KUBERNETES_VERSION"; then
    log "upgrade leader: the cluster's add-ons run v$addons, this node's kubeadm v$KUBERNETES_VERSION: kubeadm upgrade apply v$KUBERNETES_VERSION"
    if ! kubeadm upgrade apply "v$KUBERNETES_VERSION" --yes --kubeconfig "$K/admin.conf" >>"$LOG" 2>&1; then
      log "kubeadm upgrade apply v$KUBERNETES_VERSION failed (details above in $LOG): retrying"
      return 1
    fi
    log "cluster upgraded to v$KUBERNETES_VERSION: kubeadm-config, kubelet-config, CoreDNS and kube-proxy; this node's control plane"
    return 0
  fi
  config=$(cluster_config_version)
  [ -n "$config" ] || { log "cannot read kube-system/kubeadm-config's kubernetesVersion with $K/admin.conf (see $LOG)"; return 1; }
  mine=$(local_control_plane_version)
  if [ -n "$mine" ] && ! older_than "$mine" "$config"; then
    log "upgrade follower: the cluster runs v$addons and this node's control plane v$mine: nothing to upgrade"
    return 0
  fi
  log "upgrade follower: this node's control plane runs v$mine, kubeadm-config names v$config: kubeadm upgrade node"
  if ! kubeadm upgrade node --kubeconfig "$K/admin.conf" >>"$LOG" 2>&1; then
    log "kubeadm upgrade node failed (details above in $LOG): retrying"
    return 1
  fi
  log "this node's control plane upgraded to v$config"
}

# After a control-plane join: bring the cluster, or this node, to this node's version.
converge_control_plane_version() {
  while :; do
    upgrade_pass
    case $? in
    0) return 0 ;;
    2) die "this node's kubeadm v$KUBERNETES_VERSION is older than the cluster's add-ons v$addons: a control plane is never downgraded; rebuild it from the control plane's template (controlPlane.template, README: Upgrading Kubernetes)" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] ||
      die "the cluster did not converge to v$KUBERNETES_VERSION within $JOIN_TIMEOUT_SECONDS s (see $LOG); rebuild this node (bump its nodeRevisions entry): the next build retries the upgrade (README: Upgrading Kubernetes)"
    sleep "$RETRY_SECONDS"
  done
}
`;
