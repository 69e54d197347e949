import type { EnvironmentConfig, NodePoolConfig } from "../config/types";
import { Problems } from "../config/problems";
import { DEFAULT_VSPHERE_VERSION, VSPHERE_VERSION_LIMITS } from "../config/vsphere-versions";
import type { NodeTemplateSpec } from "./node-template-spec";
import { checkVersionSkew } from "../config/version-skew";

/** Templates of the pools that name their own (`<pool>.template`), by pool name. */
export type PoolTemplateSpecs = Readonly<Record<string, NodeTemplateSpec>>;

/**
 * What config validation cannot know before the templates are resolved: every clone's OS disk must be
 * at least its template's disk (vSphere cannot shrink a cloned disk), the control plane must run the
 * Kubernetes version whose kubelet/kubeadm its template carries, the pools' versions must respect the
 * version-skew policy (an upgrade in progress), and every template must suit the site's vSphere version.
 * One ConfigError lists every problem.
 */
export function checkTemplateFit(env: EnvironmentConfig, spec: NodeTemplateSpec, poolSpecs: PoolTemplateSpecs = {}): void {
  const problems = new Problems();
  const templateOf = (pool: NodePoolConfig) => poolSpecs[pool.name] ?? spec;
  checkPoolDisk(problems, templateOf(env.controlPlane), env.controlPlane, `${env.name}.controlPlane`);
  env.workers.forEach((pool, i) => checkPoolDisk(problems, templateOf(pool), pool, `${env.name}.workers[${i}]`));
  const cp = templateOf(env.controlPlane);
  if (env.kubernetes.version !== cp.kubernetesVersion) {
    const which = cp === spec ? "node template" : "control plane's template (controlPlane.template)";
    problems.add(
      `${env.name}.kubernetes.version`,
      `"${env.kubernetes.version}" differs from the ${which} "${cp.name}", built for Kubernetes "${cp.kubernetesVersion}" (${cp.source}); ` +
        `set kubernetes.version to "${cp.kubernetesVersion}" or build a template for "${env.kubernetes.version}" (packer/)`,
    );
  }
  const version = (pool: NodePoolConfig) => ({ name: templateOf(pool).name, version: templateOf(pool).kubernetesVersion, own: pool.name in poolSpecs });
  checkVersionSkew(problems, {
    env: env.name,
    environment: { name: spec.name, version: spec.kubernetesVersion, own: false },
    controlPlane: version(env.controlPlane),
    workers: env.workers.map(version),
  });
  for (const s of new Set([spec, ...Object.values(poolSpecs)])) checkTemplateVsphere(problems, s, env);
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
  // Rook finds the data disk by its SCSI path (disk-layout.ts, guestDiskPathPattern); a SAS controller names it by SAS address.
  if (pool.dataDiskGiB !== undefined && spec.scsiType === "lsilogic-sas") {
    problems.add(
      `${path}.dataDiskGiB`,
      `${pool.dataDiskGiB} needs a SCSI controller whose disks udev names by unit (/dev/disk/by-path/...-scsi-0:0:<unit>:0), but the template "${spec.name}" has "lsilogic-sas" (${spec.source}); use a template with scsi_type "pvscsi" (the default) or "lsilogic" for this pool`,
    );
  }
}
