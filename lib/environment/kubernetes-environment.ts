import { Annotations, App, Aspects } from "cdktf";
import { Construct } from "constructs";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import type { ValidatedEnvironment } from "../config/types";
import { environmentWarnings } from "../config/warnings";
import { ObjectStoreCredentials } from "../backups/object-store-credentials";
import { KubeadmCluster } from "../cluster/kubeadm-cluster";
import { writeRenderedCloudConfigs } from "../cluster/rendered-files";
import { chartRegistryCredentials } from "../platform/air-gap";
import { Platform } from "../platform/platform";
import { PlatformCa } from "../platform/platform-ca";
import { Tenants } from "../tenants/tenants";
import { NodeTemplate } from "../vsphere/node-template";
import { resolveNodeTemplate } from "../vsphere/node-template-spec";
import { VspherePlacement } from "../vsphere/placement";

export interface KubernetesEnvironmentProps {
  /** What `validateEnvironment` returned. */
  readonly config: ValidatedEnvironment;
  /**
   * Directory a relative template manifest path (`template.manifest`) is resolved against.
   * @default process.cwd()
   */
  readonly baseDir?: string;
}

/**
 * One whole environment inside any TerraformStack that has a vsphere provider and a backend:
 * vSphere VMs → kubeadm cluster (PKI, cloud-init, readiness gate) → kubernetes and helm providers from
 * the cluster connection → platform add-ons, all waiting on the readiness gate. At synth it also writes
 * `<outdir>/rendered/<env>/<node>.cloud-config.yaml` (secrets as placeholders) for review.
 *
 * One per stack: the providers it declares (tls, random, time, kubernetes, helm) have no alias. Give it the id `Default` (as EnvironmentStack
 * does) and its resources get the same Terraform addresses as if they sat directly in the stack.
 */
export class KubernetesEnvironment extends Construct {
  readonly config: ValidatedEnvironment;
  readonly placement: VspherePlacement;
  readonly template: NodeTemplate;
  readonly cluster: KubeadmCluster;
  readonly platform: Platform;
  /** The application teams (`tenants`), after the platform. */
  readonly tenants: Tenants;
  /** The S3 keys of the backups/logs object store (etcd snapshots, Velero, Loki). */
  readonly objectStore: ObjectStoreCredentials;
  /** The CA behind the platform's certificates (the site CA variables with issuer `ca`): cert-manager, the nodes' snapshot upload. */
  readonly platformCa: PlatformCa;

  constructor(scope: Construct, id: string, props: KubernetesEnvironmentProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    new TlsProvider(this, "tls");
    new RandomProvider(this, "random");
    new TimeProvider(this, "time"); // time_rotating: the join token's rotation

    this.objectStore = new ObjectStoreCredentials(this, "object-store", config);
    this.platformCa = new PlatformCa(this, "platform-ca", config);
    this.placement = new VspherePlacement(this, "placement", { vsphere: config.vsphere });
    const spec = resolveNodeTemplate(config.name, config.template, props.baseDir);
    this.template = new NodeTemplate(this, "template", { spec, placement: this.placement });
    // A pool naming its own template (an upgrade in progress) reads it through a data source of its own.
    const poolTemplates: Record<string, NodeTemplate> = {};
    for (const pool of [config.controlPlane, ...config.workers]) {
      if (pool.template === undefined) continue;
      const poolSpec = resolveNodeTemplate(config.name, pool.template, props.baseDir);
      poolTemplates[pool.name] = new NodeTemplate(this, `template-${pool.name}`, { spec: poolSpec, placement: this.placement });
    }
    this.cluster = new KubeadmCluster(this, "cluster", { config, placement: this.placement, template: this.template, poolTemplates, objectStore: this.objectStore, platformCa: this.platformCa });

    // Both providers authenticate as Terraform's admin certificate (group kubeadm:cluster-admins).
    // Provider configuration is lazy: nothing connects before the readiness gate has passed.
    const { host, clusterCaCertificate, clientCertificate, clientKey } = this.cluster.connection;
    const kubernetes = { host, clusterCaCertificate, clientCertificate, clientKey };
    new KubernetesProvider(this, "kubernetes", kubernetes);
    new HelmProvider(this, "helm", { kubernetes, registries: chartRegistryCredentials(this, config.registryMirror) });

    this.platform = new Platform(this, "platform", {
      config,
      readiness: this.cluster.readiness.resource,
      connection: this.cluster.connection,
      objectStore: this.objectStore,
      platformCa: this.platformCa,
    });
    // After the platform: tenant pods start under the public Traefik and DNS their policies name; on destroy they go first.
    const p = this.platform;
    this.tenants = new Tenants(this, "tenants", {
      config,
      connection: this.cluster.connection,
      dependsOn: [this.cluster.readiness.resource, p.calico.operator.release, p.podNetwork.resource, p.traefikPublic.addon.release],
      argocd: p.argocdApps.addon.release,
    });

    for (const warning of environmentWarnings(config)) Annotations.of(this).addWarning(warning);
    // Aspects are cdktf's public hook into synth: the files are written whenever the stack synthesizes
    // (app.synth(), cdktf synth/diff/deploy), next to cdktf.out/stacks.
    Aspects.of(this).add({
      visit: (node) => {
        if (node === this) writeRenderedCloudConfigs(App.of(this).outdir, config, this.cluster.renderedCloudConfigs);
      },
    });
  }
}
