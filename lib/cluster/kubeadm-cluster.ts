import { Construct } from "constructs";
import { Fn, TerraformLocal, TerraformOutput } from "cdktf";
import { ConfigMapV1Data } from "@cdktf/provider-kubernetes/lib/config-map-v1-data";
import { API_SERVER_PORT } from "../config/defaults";
import { securitySettings } from "../config/security";
import type { ValidatedEnvironment } from "../config/types";
import { type PoolNode, poolNodes } from "../config/pool-nodes";
import { NodePool } from "../vsphere/node-pool";
import type { NodeTemplate } from "../vsphere/node-template";
import type { VspherePlacement } from "../vsphere/placement";
import { checkTemplateFit } from "../vsphere/template-fit";
import { ClusterPki } from "./cluster-pki";
import type { RenderOptions } from "./cloud-config";
import { cloudConfigRenderer, nodeValues, type NodeValues, type PoolTemplate } from "./pool-cloud-config";
import { JoinToken } from "./join-token";
import { renderKubeconfig, renderOidcKubeconfig } from "./kubeconfig";
import { ReadinessGate } from "./readiness-gate";
import { encryptionKeyNames } from "./encryption-config";
import { clusterConfigurationYaml } from "./kubeadm-config";
import { KubeadmConfigGate } from "./kubeadm-config-gate";
import { encryptionKeyPlaceholder, OBJECT_STORE_KEY_PLACEHOLDERS, placeholderFor, placeholderSecrets, SECRET_NAMES, SITE_CA_CERT_PLACEHOLDER } from "./secrets";
import type { ObjectStoreCredentials } from "../backups/object-store-credentials";
import type { PlatformCa } from "../platform/platform-ca";
import { terraformString } from "./terraform-string";

/** What the kubernetes and helm providers need to reach the cluster as Terraform's admin. */
export interface ClusterConnection {
  /** https://<VIP>:6443 */
  readonly host: string;
  /** PEM. */
  readonly clusterCaCertificate: string;
  /** PEM of the admin client certificate (group kubeadm:cluster-admins). */
  readonly clientCertificate: string;
  /** PEM, sensitive. */
  readonly clientKey: string;
}

export interface KubeadmClusterProps {
  /** What `validateEnvironment` returned. */
  readonly config: ValidatedEnvironment;
  readonly placement: VspherePlacement;
  readonly template: NodeTemplate;
  /**
   * Templates of the pools that name their own (`<pool>.template`: an upgrade in progress), by pool name.
   * @default every pool clones `template`
   */
  readonly poolTemplates?: Readonly<Record<string, NodeTemplate>>;
  /**
   * Bootstrap timings on the nodes.
   * @default join timeout 3600 s, checks 10 s apart, 60 s looking for an existing cluster before init
   */
  readonly render?: RenderOptions;
  /**
   * Upper bound of the wait for /readyz after the VMs exist.
   * @default 1800
   */
  readonly readinessTimeoutSeconds?: number;
  /**
   * The object store's S3 keys, written to the control-plane nodes for the etcd snapshots and their restore. The
   * same instance the Platform gets (KubernetesEnvironment.objectStore): two would declare the variables twice or,
   * in-cluster, generate keys Rook never hears of.
   */
  readonly objectStore: ObjectStoreCredentials;
  /**
   * The CA behind the platform's certificates: the etcd snapshot upload trusts it for the in-cluster object store
   * (`https://s3.<platform.domain>`, issuer `ca`: the site CA variable, written to the control-plane nodes). The
   * same instance the Platform gets (KubernetesEnvironment.platformCa): two would declare the variables twice.
   */
  readonly platformCa: PlatformCa;
}

function reinitializeNotice(config: ValidatedEnvironment): Record<string, string> {
  const at = config.controlPlane.reinitializeAtRevision;
  if (at === undefined) return {};
  const [first] = poolNodes(config.name, config.controlPlane, "control-plane");
  return { reinitialize: `${first.name} runs kubeadm init again at revision ${at} (controlPlane.reinitializeAtRevision)` };
}

/** Where a worker pool's Terraform local leaves each node's own values for replace() (plain text, never a regex). */
const NODE_VALUE_HOLES: NodeValues = { name: "<node:name>", ip: "<node:ip>", index: "<node:index>", revision: "<node:revision>" };

/** Placeholders of the kubeconfig output (the admin credential is not part of any node's cloud-config). */
const KUBECONFIG_PLACEHOLDERS = { cert: "<generated:admin-cert>", key: "<secret:admin-key>" } as const;

/**
 * A kubeadm cluster on vSphere: the PKI, the control-plane pool ("control-plane") and one pool per
 * worker pool ("workers-<name>"), each node bootstrapped by its cloud-config with no SSH, plus the
 * connection and readiness gate everything in-cluster builds on, and the join token's Secret.
 */
export class KubeadmCluster extends Construct {
  readonly pki: ClusterPki;
  readonly controlPlane: NodePool;
  readonly workerPools: NodePool[];
  readonly connection: ClusterConnection;
  /** `<node>.cloud-config.yaml` -> cloud-config with secrets as placeholders, for review (rendered-files). */
  readonly renderedCloudConfigs = new Map<string, string>();
  /** Depend on this (dependsOn) from anything that talks to the cluster. */
  readonly readiness: ReadinessGate;
  /** The rotating join token's Secret in kube-system (needs the stack's kubernetes provider). */
  readonly joinToken: JoinToken;
  /**
   * kube-system/kubeadm-config's ClusterConfiguration key, kept equal to the init config's: every
   * control-plane join reads it, so a rebuilt node gets the static pods this code renders. Needs the
   * kubernetes provider (KubernetesEnvironment configures it from `connection`).
   */
  readonly kubeadmConfig: ConfigMapV1Data;

  constructor(scope: Construct, id: string, props: KubeadmClusterProps) {
    super(scope, id);
    const { config, placement, template } = props;
    const poolTemplates = props.poolTemplates ?? {};
    const templateOf = (pool: string): NodeTemplate => poolTemplates[pool] ?? template;
    // The cluster runs the Kubernetes the templates were built for (kubelet/kubeadm come from the image).
    checkTemplateFit(config, template.spec, Object.fromEntries(Object.entries(poolTemplates).map(([pool, t]) => [pool, t.spec])));

    const security = securitySettings(config);
    const encryptionKeys = security.encryptionAtRest ? encryptionKeyNames(security.encryptionKeys) : [];
    const { objectStore, platformCa } = props;
    this.pki = new ClusterPki(this, "pki", { environment: config.name, joinTokenRotationHours: security.joinTokenRotationHours, encryptionKeys });
    const values = {
      ...Object.fromEntries(SECRET_NAMES.map((n) => [placeholderFor(n), this.pki.secrets[n]])),
      ...Object.fromEntries(Object.entries(this.pki.encryptionKeysB64).map(([name, b64]) => [encryptionKeyPlaceholder(name), b64])),
      [OBJECT_STORE_KEY_PLACEHOLDERS.accessKeyId]: Fn.base64encode(objectStore.accessKeyId),
      [OBJECT_STORE_KEY_PLACEHOLDERS.secretAccessKey]: Fn.base64encode(objectStore.secretAccessKey),
      // Only where the renderer wrote the placeholder (etcdSnapshotStore: in-cluster store, issuer `ca`).
      ...(platformCa.certPem !== undefined ? { [SITE_CA_CERT_PLACEHOLDER]: Fn.base64encode(platformCa.certPem) } : {}),
    };
    // Rendered once per node with placeholders: the same text becomes the Terraform value (placeholders
    // swapped for references) and the reviewable file (renderedCloudConfigs).
    // (cloudConfigRenderer: a worker pool's YAML is rendered once, each node's values put in.)
    const render = cloudConfigRenderer(config, placeholderSecrets(), (node) => {
      const { spec } = templateOf(node.pool);
      return { containerdVersion: spec.containerdVersion, kubernetesVersion: spec.kubernetesVersion, ...props.render };
    });
    // A worker pool's text, secrets and all, is one Terraform local; each worker's user-data is that local
    // with its own values put in by Terraform's replace(): 35 KB less per VM in the stack, which was most of
    // a VM's synth time and memory. Existing VMs ignore extra_config, so their plan stays a no-op.
    const poolLocals = new Map<string, string>();
    const poolLocal = (pool: string, template: PoolTemplate): string => {
      let local = poolLocals.get(pool);
      if (local === undefined) {
        const text = terraformString(template.fill(NODE_VALUE_HOLES), values);
        local = new TerraformLocal(this, `user-data-${pool}`, text).asString;
        poolLocals.set(pool, local);
      }
      return local;
    };
    const userData = (node: PoolNode) => {
      const text = render(node);
      this.renderedCloudConfigs.set(`${node.name}.cloud-config.yaml`, text);
      const template = render.templateOf(node);
      if (!template) return terraformString(text, values);
      const own = nodeValues(config, node);
      return (Object.keys(own) as (keyof NodeValues)[]).reduce((t, key) => Fn.replace(t, NODE_VALUE_HOLES[key], own[key]), poolLocal(node.pool, template));
    };

    const common = { environment: config.name, placement, network: config.network, userData };
    const cp = config.controlPlane;
    this.controlPlane = new NodePool(this, "control-plane", { ...common, pool: cp, role: "control-plane", template: templateOf(cp.name) });
    this.workerPools = config.workers.map((pool) => new NodePool(this, `workers-${pool.name}`, { ...common, pool, role: "worker", template: templateOf(pool.name) }));

    const host = `https://${config.kubernetes.apiVip}:${API_SERVER_PORT}`;
    this.connection = {
      host,
      clusterCaCertificate: this.pki.caCertPem,
      clientCertificate: this.pki.adminCertPem,
      clientKey: this.pki.adminKeyPem,
    };

    const vms = [this.controlPlane, ...this.workerPools].flatMap((p) => p.vms);
    this.readiness = new ReadinessGate(this, "api-ready", {
      endpoint: host,
      caCertPem: this.pki.caCertPem,
      dependsOn: vms,
      // A rebuilt control-plane node makes the next apply wait for the API again.
      triggers: Object.fromEntries(this.controlPlane.vms.map((vm, i) => [`control_plane_${i + 1}`, vm.id])),
      timeoutSeconds: props.readinessTimeoutSeconds,
      // A re-initialization is a new cluster: the plan says so where reviewers look.
      notices: reinitializeNotice(config),
    });

    this.joinToken = new JoinToken(this, "join-token", { pki: this.pki, readiness: this.readiness.resource });

    // /readyz answers a moment before `kubeadm init` uploads kubeadm-config: wait for the ConfigMap itself.
    const kubeadmConfigReady = new KubeadmConfigGate(this, "kubeadm-config-ready", {
      connection: this.connection,
      dependsOn: [this.readiness.resource],
      triggers: Object.fromEntries(this.controlPlane.vms.map((vm, i) => [`control_plane_${i + 1}`, vm.id])),
    });
    this.kubeadmConfig = new ConfigMapV1Data(this, "kubeadm-config", {
      metadata: { name: "kubeadm-config", namespace: "kube-system" },
      data: { ClusterConfiguration: clusterConfigurationYaml(config) },
      // kubeadm (init, upgrade) owns the key until now: take it over, under a manager of our own.
      force: true,
      fieldManager: "terraform-kubeadm-config",
      dependsOn: [kubeadmConfigReady.resource],
    });

    const kubeconfig = renderKubeconfig({
      name: config.name,
      server: host,
      caCertB64: placeholderFor("caCertB64"),
      clientCertB64: KUBECONFIG_PLACEHOLDERS.cert,
      clientKeyB64: KUBECONFIG_PLACEHOLDERS.key,
    });
    new TerraformOutput(this, "kubeconfig", {
      description: `kubeconfig of ${config.name} (cluster, user and context "${config.name}"); cdktf output --outputs-file or terraform output -raw kubeconfig`,
      sensitive: true,
      value: terraformString(kubeconfig, {
        [placeholderFor("caCertB64")]: this.pki.secrets.caCertB64,
        [KUBECONFIG_PLACEHOLDERS.cert]: Fn.base64encode(this.pki.adminCertPem),
        [KUBECONFIG_PLACEHOLDERS.key]: Fn.base64encode(this.pki.adminKeyPem),
      }),
    }).overrideLogicalId("kubeconfig");
    const { oidc } = securitySettings(config);
    if (oidc) {
      // No secret in it (the CA certificate is public): not sensitive, so `terraform output` prints it.
      const people = renderOidcKubeconfig({
        name: config.name,
        server: host,
        caCertB64: placeholderFor("caCertB64"),
        issuerUrl: oidc.issuerUrl,
        clientId: oidc.clientId,
        issuerCaPem: oidc.caPem,
      });
      new TerraformOutput(this, "kubeconfig-oidc", {
        description: `kubeconfig of ${config.name} for people: kubectl logs in at ${oidc.issuerUrl} through kubelogin; terraform output -raw kubeconfig_oidc`,
        value: terraformString(people, { [placeholderFor("caCertB64")]: this.pki.secrets.caCertB64 }),
      }).overrideLogicalId("kubeconfig_oidc");
    }
    new TerraformOutput(this, "api-endpoint", { description: `API server of ${config.name} (the kube-vip VIP)`, value: host }).overrideLogicalId("api_endpoint");
    // Its date goes into certificates.clusterCaNotAfter, so the synth warns a year ahead (README, "Certificates").
    new TerraformOutput(this, "cluster-ca-not-after", {
      description: `End of the cluster CA's validity (${config.name}); every certificate of the cluster dies with it`,
      value: this.pki.caNotAfter,
    }).overrideLogicalId("cluster_ca_not_after");
  }
}
