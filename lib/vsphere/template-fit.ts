import type { EnvironmentConfig, NodePoolConfig } from "../config/types";
import { Problems } from "../config/problems";
import { DEFAULT_VSPHERE_VERSION, VSPHERE_VERSION_LIMITS } from "../config/vsphere-versions";
import type { NodeTemplateSpec } from "./node-template-spec";

/**
 * What config validation cannot know before the template is resolved: every clone's OS disk must be
 * at least the template's disk (vSphere cannot shrink a cloned disk), and the cluster must run the
 * Kubernetes version whose kubelet/kubeadm the template carries, on hardware and a guest id the
 * site's vSphere version runs. One ConfigError lists every problem.
 */
export function checkTemplateFit(env: EnvironmentConfig, spec: NodeTemplateSpec): void {
  const problems = new Problems();
  checkPoolDisk(problems, spec, env.controlPlane, `${env.name}.controlPlane`);
  env.workers.forEach((pool, i) => checkPoolDisk(problems, spec, pool, `${env.name}.workers[${i}]`));
  if (env.kubernetes.version !== spec.kubernetesVersion) {
    problems.add(
      `${env.name}.kubernetes.version`,
      `"${env.kubernetes.version}" differs from the node template "${spec.name}", built for Kubernetes "${spec.kubernetesVersion}" (${spec.source}); ` +
        `set kubernetes.version to "${spec.kubernetesVersion}" or build a template for "${env.kubernetes.version}" (packer/)`,
    );
  }
  checkTemplateVsphere(problems, spec, env);
  problems.throwIfAny(`Environment "${env.name}" does not fit its node template`);
}

/** The template's hardware version and guest id (when the manifest records them) against vsphere.version. */
function checkTemplateVsphere(problems: Problems, spec: NodeTemplateSpec, env: EnvironmentConfig): void {
  const version = env.vsphere.version ?? DEFAULT_VSPHERE_VERSION;
  const limits = VSPHERE_VERSION_LIMITS[version];
  const path = `${env.name}.vsphere.version`;
  const rebuild = `build the template with vsphere_version = "${version}" (packer/), or set vsphere.version to the oldest ESXi version in the cluster`;
  if (spec.hardwareVersion !== undefined && spec.hardwareVersion > limits.maxHardwareVersion) {
    problems.add(
      path,
      `"${version}" runs VM hardware version ${limits.maxHardwareVersion} at most, but the node template "${spec.name}" has ${spec.hardwareVersion} (${spec.source}); ${rebuild}`,
    );
  }
  if (spec.guestId !== undefined && !limits.guestIds.includes(spec.guestId)) {
    problems.add(
      path,
      `"${version}" allows the guest ids ${limits.guestIds.join(", ")}, but the node template "${spec.name}" has "${spec.guestId}" (${spec.source}); ${rebuild}`,
    );
  }
}

export function checkPoolDisk(problems: Problems, spec: NodeTemplateSpec, pool: NodePoolConfig, path: string): void {
  if (pool.osDiskGiB < spec.diskGiB) {
    problems.add(
      `${path}.osDiskGiB`,
      `${pool.osDiskGiB} is smaller than the template's ${spec.diskGiB} GiB disk (${spec.name}); a clone's disk cannot shrink: use at least ${spec.diskGiB}`,
    );
  }
}
