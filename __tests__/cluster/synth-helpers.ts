import { validateEnvironment } from "../../lib/config/validate";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { VsphereProvider } from "@cdktf/provider-vsphere/lib/provider";
import type { EnvironmentConfig } from "../../lib/config/types";
import { ObjectStoreCredentials } from "../../lib/backups/object-store-credentials";
import { KubeadmCluster } from "../../lib/cluster/kubeadm-cluster";
import { PlatformCa } from "../../lib/platform/platform-ca";
import { NodeTemplate } from "../../lib/vsphere/node-template";
import { resolveNodeTemplate } from "../../lib/vsphere/node-template-spec";
import { VspherePlacement } from "../../lib/vsphere/placement";

export interface Synthesized {
  readonly outdir: string;
  readonly text: string;
  readonly json: Record<string, any>;
  readonly cluster: KubeadmCluster;
}

/** A minimal stack (local backend) holding only what KubeadmCluster needs, synthesized to a temp dir. */
export function synthCluster(config: EnvironmentConfig, templateVersion = config.kubernetes.version): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "cluster-synth-"));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, config.name);
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new VsphereProvider(stack, "vsphere", { vsphereServer: "vcenter.example.internal", user: "u", password: "p" });
  new TlsProvider(stack, "tls");
  new RandomProvider(stack, "random");
  new TimeProvider(stack, "time");
  new KubernetesProvider(stack, "kubernetes", {}); // the join token's Secret, the kubeadm-config ConfigMap
  const placement = new VspherePlacement(stack, "placement", { vsphere: config.vsphere });
  const spec = { ...resolveNodeTemplate(config.name, config.template), kubernetesVersion: templateVersion };
  const template = new NodeTemplate(stack, "template", { spec, placement });
  const validated = validateEnvironment(config);
  const objectStore = new ObjectStoreCredentials(stack, "object-store", validated);
  const platformCa = new PlatformCa(stack, "platform-ca", validated);
  const cluster = new KubeadmCluster(stack, "cluster", { config: validated, placement, template, objectStore, platformCa });
  app.synth();
  const text = readFileSync(join(outdir, "stacks", config.name, "cdk.tf.json"), "utf8");
  return { outdir, text, json: JSON.parse(text), cluster };
}
