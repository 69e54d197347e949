import type { Construct } from "constructs";
import { LocalBackend, TerraformStack, TerraformVariable } from "cdktf";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { VsphereProvider } from "@cdktf/provider-vsphere/lib/provider";
import type { EnvironmentConfig } from "../lib/config/types";
import { KubeadmCluster } from "../lib/cluster/kubeadm-cluster";
import { chartRegistryCredentials } from "../lib/platform/air-gap";
import { Platform } from "../lib/platform/platform";
import { NodeTemplate } from "../lib/vsphere/node-template";
import { resolveNodeTemplate } from "../lib/vsphere/node-template-spec";
import { VspherePlacement } from "../lib/vsphere/placement";
import { GitlabHttpBackend } from "./gitlab-http-backend";

export interface EnvironmentStackProps {
  /** A config that went through validateEnvironment. */
  readonly config: EnvironmentConfig;
  /**
   * Where state lives: a local file (sandbox) or GitLab's HTTP state backend (shared environments).
   * @default "gitlab"
   */
  readonly state?: "local" | "gitlab";
  /**
   * Directory relative template manifest paths are resolved against.
   * @default process.cwd()
   */
  readonly baseDir?: string;
}

/**
 * One environment, one stack, one state. The stack id is the environment name.
 * vSphere VMs → kubeadm cluster (PKI, cloud-init, readiness gate) → kubernetes/helm providers from the
 * cluster connection → platform add-ons, all waiting on the readiness gate.
 */
export class EnvironmentStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly cluster: KubeadmCluster;
  readonly platform: Platform;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    const { config } = props;
    super(scope, config.name);
    this.config = config;
    const spec = resolveNodeTemplate(config.name, config.template, props.baseDir);

    if ((props.state ?? "gitlab") === "local") {
      // Terraform runs in cdktf.out/stacks/<env>: keep the state file at the project root, outside
      // the synth output that gets deleted and regenerated.
      new LocalBackend(this, { path: `../../../terraform.${config.name}.tfstate` });
    } else {
      new GitlabHttpBackend(this);
    }
    configureVsphere(this);
    new TlsProvider(this, "tls");
    new RandomProvider(this, "random");

    const placement = new VspherePlacement(this, "placement", { vsphere: config.vsphere });
    const template = new NodeTemplate(this, "template", { spec, placement });
    this.cluster = new KubeadmCluster(this, "cluster", { config, placement, template });

    // Both providers authenticate as Terraform's admin certificate (group kubeadm:cluster-admins).
    // Provider configuration is lazy: nothing connects before the readiness gate has passed.
    const { host, clusterCaCertificate, clientCertificate, clientKey } = this.cluster.connection;
    const kubernetes = { host, clusterCaCertificate, clientCertificate, clientKey };
    new KubernetesProvider(this, "kubernetes", kubernetes);
    new HelmProvider(this, "helm", { kubernetes, registries: chartRegistryCredentials(this, config.registryMirror) });

    this.platform = new Platform(this, "platform", { config, readiness: this.cluster.readiness.resource });
  }
}

/** vCenter credentials come from TF_VAR_vsphere_* (never from files in the repo). */
function configureVsphere(stack: TerraformStack): void {
  const variable = (name: string, description: string, sensitive = false) =>
    new TerraformVariable(stack, name, { type: "string", description, sensitive, nullable: false });
  const server = variable("vsphere_server", "vCenter host name (TF_VAR_vsphere_server)");
  const user = variable("vsphere_user", "vCenter user (TF_VAR_vsphere_user)");
  const password = variable("vsphere_password", "vCenter password (TF_VAR_vsphere_password)", true);
  const insecure = new TerraformVariable(stack, "vsphere_allow_unverified_ssl", {
    type: "bool",
    default: false,
    description: "Skip vCenter certificate verification (lab only; trust the vCenter CA instead)",
  });
  new VsphereProvider(stack, "vsphere", {
    vsphereServer: server.stringValue,
    user: user.stringValue,
    password: password.stringValue,
    allowUnverifiedSsl: insecure.booleanValue,
  });
}
