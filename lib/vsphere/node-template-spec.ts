import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { NodeTemplateConfig } from "../config/types";
import { ConfigError, Problems, show } from "../config/problems";

/** What a node image is: everything a clone and the bootstrap need to know about it. */
export interface NodeTemplateSpec {
  /** Template VM name, or content-library item name when `contentLibrary` is set. */
  readonly name: string;
  /** @default undefined: the template is a VM template in the datacenter inventory */
  readonly contentLibrary?: string;
  readonly os: string;
  readonly diskGiB: number;
  readonly firmware: "efi" | "bios";
  readonly scsiType: "pvscsi" | "lsilogic" | "lsilogic-sas";
  readonly kubernetesVersion: string;
  /**
   * Virtual hardware version and vSphere guest id the image was built with (Packer's
   * vm_hardware_version / guest_os_type), checked against the site's vSphere version at synth.
   * @default unknown (older manifests, named templates): a VM template's are read from vCenter
   */
  readonly hardwareVersion?: number;
  /** @default unknown, see hardwareVersion */
  readonly guestId?: string;
  /**
   * containerd version installed in the image (it selects the containerd config format).
   * @default undefined: not recorded (older manifests, templates by name); the bootstrap assumes CONTAINERD_VERSION
   */
  readonly containerdVersion?: string;
  /** Where the facts came from, for error messages ("packer/manifest.json" or "config"). */
  readonly source: string;
}

/**
 * Resolves the environment's template reference. Reads the Packer manifest when the config points at
 * one; relative paths are resolved against `baseDir` (the project root).
 */
export function resolveNodeTemplate(env: string, config: NodeTemplateConfig, baseDir = process.cwd()): NodeTemplateSpec {
  if ("manifest" in config) {
    const path = isAbsolute(config.manifest) ? config.manifest : resolve(baseDir, config.manifest);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new ConfigError(`Invalid environment "${env}"`, [
        `${env}.template.manifest: ${show(config.manifest)} cannot be read (looked at ${path}); run packer build in packer/ or fix the path`,
      ]);
    }
    return parsePackerManifest(text, config.manifest, `${env}.template.manifest`);
  }
  return {
    name: config.name,
    os: config.os,
    diskGiB: config.diskGiB,
    firmware: config.firmware ?? "efi",
    scsiType: config.scsiType ?? "pvscsi",
    kubernetesVersion: config.kubernetesVersion,
    source: "config",
  };
}

/**
 * Reads the manifest written by Packer's `manifest` post-processor (see packer/): the build of the
 * last run (`last_run_uuid`), with the facts recorded in its `custom_data` (all strings in Packer).
 */
export function parsePackerManifest(text: string, source: string, path: string): NodeTemplateSpec {
  const problems = new Problems();
  const fail = (message: string): never => {
    throw new ConfigError("Invalid node template", [`${path}: ${source}: ${message}`]);
  };
  let manifest: { builds?: unknown; last_run_uuid?: unknown };
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    return fail(`is not JSON (${(e as Error).message}); regenerate it with packer build`);
  }
  const builds = Array.isArray(manifest.builds) ? (manifest.builds as Record<string, unknown>[]) : [];
  const build = builds.find((b) => b?.packer_run_uuid === manifest.last_run_uuid);
  if (!build) return fail(`has no build for last_run_uuid ${show(manifest.last_run_uuid)}; regenerate it with packer build`);
  const data = (build.custom_data ?? {}) as Record<string, unknown>;
  const field = (key: string, pattern: RegExp, hint: string): string => {
    const value = data[key];
    if (typeof value !== "string" || !pattern.test(value)) {
      problems.add(path, `${source}: custom_data.${key} = ${show(value)} ${hint}`);
      return "";
    }
    return value;
  };
  const spec: NodeTemplateSpec = {
    name: field("template_name", /^\S+$/, "must be the template name"),
    contentLibrary: typeof data.content_library === "string" && data.content_library !== "" ? data.content_library : undefined,
    os: field("os", /^\S+$/, "must name the guest OS (e.g. rocky-9)"),
    diskGiB: Number(field("disk_gib", /^[1-9]\d*$/, "must be the disk size in GiB")),
    firmware: field("firmware", /^(efi|bios)$/, "must be efi or bios") as NodeTemplateSpec["firmware"],
    scsiType: field("scsi_type", /^(pvscsi|lsilogic|lsilogic-sas)$/, "must be pvscsi, lsilogic or lsilogic-sas") as NodeTemplateSpec["scsiType"],
    kubernetesVersion: field("kubernetes_version", /^1\.\d+\.\d+$/, "must be the exact Kubernetes version x.y.z"),
    // Recorded since the vSphere version limits; manifests written before carry neither.
    hardwareVersion: "hardware_version" in data ? Number(field("hardware_version", /^[1-9]\d*$/, "must be the VM hardware version, e.g. 19")) : undefined,
    guestId: "guest_os_type" in data ? field("guest_os_type", /^[A-Za-z0-9_]+Guest$/, "must be a vSphere guest id, e.g. rhel9_64Guest") : undefined,
    // Recorded since the image pins containerd; older manifests do not have it.
    ...(data.containerd_version === undefined
      ? {}
      : { containerdVersion: field("containerd_version", /^\d+\.\d+\.\d+$/, "must be the exact containerd version x.y.z") }),
    source,
  };
  problems.throwIfAny("Invalid node template");
  return spec;
}
