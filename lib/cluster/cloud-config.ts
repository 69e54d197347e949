import { toYaml } from "../config/yaml-text";
import { DEFAULT_NODE_INTERFACE } from "../config/defaults";
import type { EnvironmentConfig, NodePoolConfig } from "../config/types";
import type { PoolNode } from "../config/pool-nodes";
import { BOOTSTRAP_DIR, BOOTSTRAP_SCRIPT_PATH, bootstrapScript } from "./bootstrap-script";
import {
  CERT_RENEWAL_SCRIPT_PATH, CERT_RENEWAL_SERVICE_PATH, CERT_RENEWAL_TIMER, CERT_RENEWAL_TIMER_PATH, certRenewalScript, certRenewalService, certRenewalTimer,
} from "./cert-renewal";
import { containerdFiles, modulesLoadConf, sysctlConf } from "./containerd";
import { controlPlaneFiles } from "./control-plane-hardening";
import { HOST_FIREWALL_RULES_PATH, HOST_FIREWALL_UNIT, HOST_FIREWALL_UNIT_PATH, hostFirewallRules, hostFirewallUnit } from "./host-firewall";
import { kubeadmInitConfig, kubeadmJoinConfig } from "./kubeadm-config";
import { KUBE_VIP_KUBECONFIG, kubeVipManifest, kubeVipRbac, SUPER_ADMIN_KUBECONFIG } from "./kube-vip";
import { mirroredImage } from "../config/registry-mirror";
import { mirrorCaPath } from "./mirror";
import { OBJECT_STORE_KEY_PLACEHOLDERS, SITE_CA_CERT_PLACEHOLDER, type ClusterSecrets } from "./secrets";
import { etcdSnapshotSettings, etcdSnapshotStore } from "../config/backups";
import {
  ETCD_SNAPSHOT_PATHS, ETCD_SNAPSHOT_SCRIPT_PATH, ETCD_SNAPSHOT_TIMER, NODE_EXPORTER_TEXTFILE_DIR,
  etcdSnapshotEnv, etcdSnapshotScript, etcdSnapshotService, etcdSnapshotTimer,
} from "../backups/etcd-snapshot";
import { KUBE_VIP_IMAGE, needsSuperAdminForKubeVip } from "./versions";
import { securitySettings } from "../config/security";
import { certificateSettings } from "../config/certificates";

export interface RenderOptions {
  /**
   * How long a joining node keeps waiting for the API and retrying `kubeadm join`.
   * @default 3600
   */
  readonly joinTimeoutSeconds?: number;
  /**
   * Pause between two checks while waiting (API, etcd turn, peer probe) and between join attempts.
   * @default 10
   */
  readonly retrySeconds?: number;
  /**
   * How long the node that would `kubeadm init` first looks for an existing cluster (VIP, peers'
   * etcd and API ports) before creating one.
   * @default 60
   */
  readonly peerProbeSeconds?: number;
  /**
   * containerd version of the node image: selects the config.toml format (2 for 1.x, 3 for 2.x).
   * KubeadmCluster passes the template's (manifest custom_data `containerd_version`).
   * @default CONTAINERD_VERSION (lib/cluster/versions.ts)
   */
  readonly containerdVersion?: string;
  /**
   * Kubernetes version of the node's kubelet/kubeadm (its template's): the kubeadm config API it reads, the
   * pause image, and what the bootstrap compares with the cluster's to upgrade it. KubeadmCluster passes
   * the pool's template's.
   * @default kubernetes.version
   */
  readonly kubernetesVersion?: string;
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner?: string;
  encoding?: "b64";
}

/** The pool config a node belongs to. */
export function poolOf(env: EnvironmentConfig, node: PoolNode): NodePoolConfig {
  const pool = node.role === "control-plane" ? env.controlPlane : env.workers.find((p) => p.name === node.pool);
  if (!pool) throw new Error(`node ${node.name}: no pool named ${node.pool} in ${env.name}`);
  return pool;
}

/** The node's revision (bumped to rebuild it). */
export function revisionOf(env: EnvironmentConfig, node: PoolNode): number {
  return poolOf(env, node).nodeRevisions?.[node.name] ?? 0;
}

/**
 * Only this node ever runs `kubeadm init`: the first control-plane node, in its first build (revision 0)
 * or in the one build `controlPlane.reinitializeAtRevision` or `restoreFromSnapshot.atRevision` names.
 * Every other build of it joins.
 */
export function runsKubeadmInit(env: EnvironmentConfig, node: PoolNode): boolean {
  if (node.role !== "control-plane" || node.index !== 0) return false;
  const revision = revisionOf(env, node);
  return revision === 0 || revision === env.controlPlane.reinitializeAtRevision || restoresSnapshot(env, node);
}

/** The build of the first control-plane node that restores etcd from `controlPlane.restoreFromSnapshot`. */
export function restoresSnapshot(env: EnvironmentConfig, node: PoolNode): boolean {
  const restore = env.controlPlane.restoreFromSnapshot;
  return node.role === "control-plane" && node.index === 0 && restore !== undefined && revisionOf(env, node) === restore.atRevision;
}

/**
 * The node's cloud-config (user-data). Pure: the same function renders the Terraform value (secrets
 * are Terraform expressions) and the reviewable file (secrets are placeholders).
 */
export function renderCloudConfig(env: EnvironmentConfig, node: PoolNode, secrets: ClusterSecrets, options: RenderOptions = {}): string {
  const k8s = options.kubernetesVersion ?? env.kubernetes.version;
  const mirror = env.registryMirror;
  const pool = poolOf(env, node);
  const init = runsKubeadmInit(env, node);
  const cp = node.role === "control-plane";
  const iface = env.network.interface ?? DEFAULT_NODE_INTERFACE;
  const files: WriteFile[] = [];
  const file = (path: string, content: string, permissions = "0644"): void => {
    files.push({ path, content, permissions, owner: "root:root" });
  };
  const secretFile = (path: string, b64: string, permissions = "0600"): void => {
    files.push({ path, content: b64, encoding: "b64", permissions, owner: "root:root" });
  };

  // Kernel and container runtime.
  file("/etc/modules-load.d/kubernetes.conf", modulesLoadConf());
  file("/etc/sysctl.d/90-kubernetes.conf", sysctlConf());
  for (const f of containerdFiles(k8s, mirror, options.containerdVersion)) file(f.path, f.content);
  if (mirror?.caPem) file(mirrorCaPath(mirror), mirror.caPem);

  // Host firewall: loaded by its unit before containerd and the kubelet start (runcmd starts it on first boot).
  const firewall = securitySettings(env).hostFirewall;
  if (firewall) {
    file(HOST_FIREWALL_RULES_PATH, hostFirewallRules(env), "0600");
    file(HOST_FIREWALL_UNIT_PATH, hostFirewallUnit());
  }

  // Bootstrap inputs. The CA certificate is pinned by every node (discovery hash, /readyz checks).
  const peers = env.controlPlane.ips.slice(0, env.controlPlane.count).filter((ip) => ip !== node.ip);
  file(
    `${BOOTSTRAP_DIR}/bootstrap.env`,
    envFile({
      NODE_NAME: node.name,
      NODE_IP: node.ip,
      // Control-plane nodes join etcd in this order (0 = first node).
      NODE_INDEX: String(node.index),
      NODE_REVISION: String(revisionOf(env, node)),
      ROLE: node.role,
      // The kubelet/kubeadm of this node's template: a control-plane node newer than the cluster upgrades it.
      KUBERNETES_VERSION: k8s,
      MODE: init ? "init" : "join",
      API_VIP: env.kubernetes.apiVip,
      CONTROL_PLANE_PEERS: peers.join(" "),
      JOIN_TIMEOUT_SECONDS: String(options.joinTimeoutSeconds ?? 3600),
      RETRY_SECONDS: String(options.retrySeconds ?? 10),
      PEER_PROBE_SECONDS: String(options.peerProbeSeconds ?? 60),
      // Init builds only: controlPlane.restoreFromSnapshot's object key in the etcd bucket, or empty (a new cluster).
      ...(init ? { RESTORE_SNAPSHOT: restoresSnapshot(env, node) ? env.controlPlane.restoreFromSnapshot?.snapshot ?? "" : "" } : {}),
    }),
  );
  secretFile(`${BOOTSTRAP_DIR}/ca.crt`, secrets.caCertB64, "0644");
  files.push({ path: `${BOOTSTRAP_DIR}/kubeadm-join.yaml`, content: kubeadmJoinConfig(env, node, pool, secrets.bootstrapToken, k8s), permissions: "0600", owner: "root:root" });

  if (cp) {
    // Terraform's PKI, restored into /etc/kubernetes/pki by the bootstrap before kubeadm runs.
    const pki = `${BOOTSTRAP_DIR}/pki`;
    secretFile(`${pki}/ca.crt`, secrets.caCertB64, "0644");
    secretFile(`${pki}/ca.key`, secrets.caKeyB64);
    secretFile(`${pki}/front-proxy-ca.crt`, secrets.frontProxyCaCertB64, "0644");
    secretFile(`${pki}/front-proxy-ca.key`, secrets.frontProxyCaKeyB64);
    secretFile(`${pki}/etcd/ca.crt`, secrets.etcdCaCertB64, "0644");
    secretFile(`${pki}/etcd/ca.key`, secrets.etcdCaKeyB64);
    secretFile(`${pki}/sa.key`, secrets.saKeyB64);
    secretFile(`${pki}/sa.pub`, secrets.saPubB64, "0644");

    const vip = { vip: env.kubernetes.apiVip, interface: iface, image: mirroredImage(KUBE_VIP_IMAGE, mirror) } as const;
    // kube-vip's own credential (created by the bootstrap), bound to this leases-only Role.
    file(`${BOOTSTRAP_DIR}/kube-vip.yaml`, kubeVipManifest({ ...vip, kubeconfig: KUBE_VIP_KUBECONFIG }), "0600");
    file(`${BOOTSTRAP_DIR}/kube-vip-rbac.yaml`, kubeVipRbac(), "0600");
    // API server hardening (audit policy, encryption, authentication, admission): read by the static pod.
    for (const f of controlPlaneFiles(env, secrets.encryptionKeysB64)) file(f.path, f.content, f.permissions);
    // kubeadm's one-year certificates, renewed before they expire (enabled below; idle until the node is a member).
    file(CERT_RENEWAL_SCRIPT_PATH, certRenewalScript(), "0755");
    file(CERT_RENEWAL_SERVICE_PATH, certRenewalService(certificateSettings(env).renewBeforeDays));
    file(CERT_RENEWAL_TIMER_PATH, certRenewalTimer(node.index));
    if (init) {
      const initKubeconfig = needsSuperAdminForKubeVip(k8s) ? SUPER_ADMIN_KUBECONFIG : "/etc/kubernetes/admin.conf";
      file(`${BOOTSTRAP_DIR}/kube-vip-init.yaml`, kubeVipManifest({ ...vip, kubeconfig: initKubeconfig }), "0600");
      files.push({ path: `${BOOTSTRAP_DIR}/kubeadm-init.yaml`, content: kubeadmInitConfig(env, node), permissions: "0600", owner: "root:root" });
    }
  }
  file(BOOTSTRAP_SCRIPT_PATH, bootstrapScript(), "0755");

  // node-exporter's textfile collector reads this directory on every node: it must exist, or the collector
  // reports node_textfile_scrape_error (an alert of the chart's node-exporter rules).
  file(`${NODE_EXPORTER_TEXTFILE_DIR}/README`, "Prometheus textfile collector (*.prom), read by node-exporter. etcd_backup.prom: lib/backups/etcd-snapshot.ts\n");
  // etcd snapshots (the timer) and the restore (the bootstrap) on control-plane nodes; the S3 keys only there.
  const snapshots = cp ? etcdSnapshotSettings(env) : undefined;
  if (cp && (snapshots || restoresSnapshot(env, node))) {
    const store = snapshots ?? etcdSnapshotStore(env);
    file(ETCD_SNAPSHOT_PATHS.env, etcdSnapshotEnv(store, node), "0600");
    const keys = secrets.objectStoreKeysB64 ?? OBJECT_STORE_KEY_PLACEHOLDERS;
    secretFile(ETCD_SNAPSHOT_PATHS.accessKeyId, keys.accessKeyId);
    secretFile(ETCD_SNAPSHOT_PATHS.secretAccessKey, keys.secretAccessKey);
    // The CA curl trusts for the store: from config as is, the site CA (a sensitive variable) like the keys.
    if (store.ca?.kind === "pem") file(ETCD_SNAPSHOT_PATHS.caFile, store.ca.pem);
    if (store.ca?.kind === "site-ca") secretFile(ETCD_SNAPSHOT_PATHS.caFile, secrets.siteCaCertB64 ?? SITE_CA_CERT_PLACEHOLDER, "0644");
    file(ETCD_SNAPSHOT_SCRIPT_PATH, etcdSnapshotScript(), "0755");
  }
  if (snapshots) {
    file(ETCD_SNAPSHOT_PATHS.service, etcdSnapshotService());
    file(ETCD_SNAPSHOT_PATHS.timer, etcdSnapshotTimer(snapshots.intervalHours));
  }

  const doc: Record<string, unknown> = {
    // cloud-init sets the hostname from the node pool metadata (local-hostname = node name).
    preserve_hostname: false,
    ntp: { enabled: true, ntp_client: "chrony", servers: [...env.network.ntpServers] },
    write_files: files,
    runcmd: [
      ...(firewall ? [["systemctl", "enable", "--now", HOST_FIREWALL_UNIT]] : []),
      ...(cp ? [["systemctl", "enable", "--now", CERT_RENEWAL_TIMER]] : []),
      // Timers first (they fire on the calendar; a run before the node is an etcd member fails and retries at the
      // next one). The bootstrap must be the LAST command: runcmd's exit status is its last command's, and that is
      // what tells cloud-init (status "error") and the VM test that the bootstrap failed.
      ...(snapshots ? [["systemctl", "enable", "--now", ETCD_SNAPSHOT_TIMER]] : []),
      [BOOTSTRAP_SCRIPT_PATH],
    ],
  };
  if (mirror?.caPem) doc.ca_certs = { trusted: [mirror.caPem] };
  if (env.sshAuthorizedKeys && env.sshAuthorizedKeys.length > 0) doc.ssh_authorized_keys = [...env.sshAuthorizedKeys];
  return `#cloud-config\n${toYaml(doc)}`;
}

function envFile(values: Readonly<Record<string, string>>): string {
  // Single-quoted: values are names, IPs and numbers, never containing a quote.
  return `${Object.entries(values).map(([k, v]) => `${k}='${v}'`).join("\n")}\n`;
}
