import { toYaml } from "../config/yaml-text";
import { API_SERVER_PORT } from "../config/defaults";
import type { EnvironmentConfig, NodePoolConfig, Taint } from "../config/types";
import type { PoolNode } from "../config/pool-nodes";
import { mirrorBase } from "../config/registry-mirror";
import { apiServerHardening } from "./control-plane-hardening";
import { kubeadmApiVersion } from "./versions";

/** Replaced on the node by the SHA-256 of the delivered CA's public key (computed at boot). */
export const CA_CERT_HASH_PLACEHOLDER = "sha256:__CA_PUBLIC_KEY_SHA256__";

/** Replaced on the init node by a throwaway token from `kubeadm token generate` (bootstrap script). */
export const INIT_TOKEN_PLACEHOLDER = "__KUBEADM_INIT_TOKEN__";

/** The throwaway init token's lifetime: the bootstrap deletes it right after init; this only bounds a failed deletion. */
export const INIT_TOKEN_TTL = "15m0s";

/** kubeadm pins the API server at this port on every control-plane node and on the VIP. */

export const CRI_SOCKET = "unix:///run/containerd/containerd.sock";

/**
 * kube-vip's manifest is in /etc/kubernetes/manifests before kubeadm runs (the VIP must be up while
 * kubeadm init/join talk to it), and kubeadm refuses a non-empty manifests directory otherwise.
 */
const IGNORED_PREFLIGHT = ["DirAvailable--etc-kubernetes-manifests"];

type Args = Readonly<Record<string, string>>;

/** v1beta4 takes extra args as a list of {name, value}; v1beta3 as a map. */
function extraArgs(apiVersion: string, args: Args): unknown {
  return apiVersion.endsWith("v1beta4") ? Object.entries(args).map(([name, value]) => ({ name, value })) : { ...args };
}

export function endpoint(env: EnvironmentConfig): string {
  return `${env.kubernetes.apiVip}:${API_SERVER_PORT}`;
}

/** Registry kubeadm pulls the control-plane images from (the mirror's copy of registry.k8s.io). */
export function imageRepository(env: EnvironmentConfig): string {
  return env.registryMirror ? `${mirrorBase(env.registryMirror)}/registry.k8s.io` : "registry.k8s.io";
}

function nodeRegistration(node: PoolNode, pool: NodePoolConfig, api: string): Record<string, unknown> {
  const labels = Object.entries(pool.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const args: Record<string, string> = { "node-ip": node.ip };
  if (labels.length > 0) args["node-labels"] = labels.join(",");
  const reg: Record<string, unknown> = {
    name: node.name,
    criSocket: CRI_SOCKET,
    kubeletExtraArgs: extraArgs(api, args),
  };
  const taints = (pool.taints ?? []).map(taint);
  if (node.role === "worker") {
    reg.taints = taints;
  } else if (taints.length > 0) {
    // Setting taints replaces kubeadm's default: keep the control-plane taint, add the pool's.
    reg.taints = [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }, ...taints];
  }
  if (node.role === "control-plane") reg.ignorePreflightErrors = IGNORED_PREFLIGHT;
  return reg;
}

function taint(t: Taint): Record<string, string> {
  return { key: t.key, value: t.value ?? "", effect: t.effect };
}

/**
 * The ClusterConfiguration, rendered once for both places kubeadm reads it: the init config of the
 * first node, and the cluster's kube-system/kubeadm-config ConfigMap (key ClusterConfiguration), which
 * every `kubeadm join --control-plane` reads instead (KubeadmCluster keeps that key equal to this).
 * No secrets: the hardening files it points at are written by cloud-init.
 */
export function clusterConfiguration(env: EnvironmentConfig): Record<string, unknown> {
  const api = kubeadmApiVersion(env.kubernetes.version);
  const k = env.kubernetes;
  const repo = imageRepository(env);
  const hardening = apiServerHardening(env);
  // CIS 1.3.2 / 1.4.1: no profiling endpoints on the controller-manager and scheduler (1.2.x on the API server).
  const profilingOff = { profiling: "false" };
  return {
    apiVersion: api,
    kind: "ClusterConfiguration",
    clusterName: env.name,
    kubernetesVersion: `v${k.version}`,
    controlPlaneEndpoint: endpoint(env),
    imageRepository: repo,
    // With a custom imageRepository kubeadm would look for <repo>/coredns; a mirror keeps upstream
    // paths, where CoreDNS lives at registry.k8s.io/coredns/coredns.
    dns: { imageRepository: `${repo}/coredns` },
    networking: { podSubnet: k.podCidr, serviceSubnet: k.serviceCidr, dnsDomain: k.dnsDomain ?? "cluster.local" },
    apiServer: {
      certSANs: [k.apiVip, ...(k.apiCertSans ?? [])],
      extraArgs: extraArgs(api, hardening.args),
      extraVolumes: hardening.volumes.map((v) => ({ ...v })),
    },
    // Metrics where kube-prometheus-stack scrapes them (on the node IPs). Plain-HTTP etcd metrics
    // carry no data; scheduler and controller-manager keep authn/authz on their secure ports.
    // The host firewall (host-firewall.ts) closes these ports to everything outside the node and pod networks.
    etcd: { local: { extraArgs: extraArgs(api, { "listen-metrics-urls": "http://0.0.0.0:2381" }) } },
    controllerManager: { extraArgs: extraArgs(api, { "bind-address": "0.0.0.0", ...profilingOff }) },
    scheduler: { extraArgs: extraArgs(api, { "bind-address": "0.0.0.0", ...profilingOff }) },
  };
}

/** The ClusterConfiguration as kubeadm-config's `ClusterConfiguration` value (one YAML document). */
export function clusterConfigurationYaml(env: EnvironmentConfig): string {
  return toYaml(clusterConfiguration(env));
}

/**
 * InitConfiguration + ClusterConfiguration (+ kubelet and kube-proxy component configs) for the
 * one node that runs `kubeadm init`. The join token is not in it: Terraform writes that one (JoinToken).
 */
export function kubeadmInitConfig(env: EnvironmentConfig, node: PoolNode): string {
  const api = kubeadmApiVersion(env.kubernetes.version);
  const init = {
    apiVersion: api,
    kind: "InitConfiguration",
    // kubeadm init always creates a token (an empty list defaults to one random token valid 24h), and
    // Terraform's must not exist yet (its Secret would clash). So a throwaway one, generated on the node
    // at boot and deleted by the bootstrap right after init; the ttl only bounds a failed deletion.
    bootstrapTokens: [
      {
        token: INIT_TOKEN_PLACEHOLDER,
        description: "throwaway token of kubeadm init, deleted right after it (README: Join token)",
        ttl: INIT_TOKEN_TTL,
        usages: ["signing", "authentication"],
        groups: ["system:bootstrappers:kubeadm:default-node-token"],
      },
    ],
    localAPIEndpoint: { advertiseAddress: node.ip, bindPort: API_SERVER_PORT },
    nodeRegistration: nodeRegistration(node, env.controlPlane, api),
    // kubeadm must not re-upload certs: the PKI is Terraform's and already on every control-plane node.
    skipPhases: ["upload-certs"],
  };
  const cluster = clusterConfiguration(env);
  const kubelet = { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", cgroupDriver: "systemd" };
  const proxy = { apiVersion: "kubeproxy.config.k8s.io/v1alpha1", kind: "KubeProxyConfiguration", metricsBindAddress: "0.0.0.0:10249" };
  return docs([init, cluster, kubelet, proxy]);
}

/**
 * JoinConfiguration for every other node (and for the first control-plane node when it is rebuilt
 * into an existing cluster). Discovery pins the cluster CA by its public-key hash; the hash is
 * filled in at boot from the CA certificate Terraform delivered (it is unknown before apply). Written in
 * the config API of the node's own kubeadm (`kubeletVersion`: its template's), which may be older than the
 * control plane's during an upgrade.
 */
export function kubeadmJoinConfig(
  env: EnvironmentConfig,
  node: PoolNode,
  pool: NodePoolConfig,
  bootstrapToken: string,
  kubeletVersion = env.kubernetes.version,
): string {
  const api = kubeadmApiVersion(kubeletVersion);
  const discovery: Record<string, unknown> = {
    bootstrapToken: { apiServerEndpoint: endpoint(env), token: bootstrapToken, caCertHashes: [CA_CERT_HASH_PLACEHOLDER] },
    tlsBootstrapToken: bootstrapToken,
  };
  const join: Record<string, unknown> = {
    apiVersion: api,
    kind: "JoinConfiguration",
    discovery,
    nodeRegistration: nodeRegistration(node, pool, api),
  };
  if (api.endsWith("v1beta4")) join.timeouts = { discovery: "5m0s", tlsBootstrap: "5m0s" };
  else discovery.timeout = "5m0s";
  if (node.role === "control-plane") {
    // No certificateKey: the control-plane certificates are already on disk (delivered by Terraform).
    join.controlPlane = { localAPIEndpoint: { advertiseAddress: node.ip, bindPort: API_SERVER_PORT } };
  }
  return docs([join]);
}

function docs(objects: readonly object[]): string {
  return objects.map((o) => toYaml(o)).join("---\n");
}
