import type { EnvironmentConfig, NodePoolConfig } from "../config/types";
import { Problems } from "../config/problems";
import type { NodeTemplateSpec } from "./node-template-spec";

/**
 * What config validation cannot know before the template is resolved: every clone's OS disk must be
 * at least the template's disk (vSphere cannot shrink a cloned disk), and the cluster must run the
 * Kubernetes version whose kubelet/kubeadm the template carries. One ConfigError lists every problem.
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
  problems.throwIfAny(`Environment "${env.name}" does not fit its node template`);
}

export function checkPoolDisk(problems: Problems, spec: NodeTemplateSpec, pool: NodePoolConfig, path: string): void {
  if (pool.osDiskGiB < spec.diskGiB) {
    problems.add(
      `${path}.osDiskGiB`,
      `${pool.osDiskGiB} is smaller than the template's ${spec.diskGiB} GiB disk (${spec.name}); a clone's disk cannot shrink: use at least ${spec.diskGiB}`,
    );
  }
}
