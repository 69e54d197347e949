/**
 * The node image build (packer/) against its contracts:
 * - packer/manifest.json is what lib/vsphere's NodeTemplate reads (keys, string values, the build
 *   named by last_run_uuid, versions consistent with the template name);
 * - the template, the example var file and the committed manifest agree on the Kubernetes version;
 * - provisioning scripts are strict bash; nothing under packer/ points at the public internet
 *   (air-gap); the kickstart holds no password.
 * The Packer/shellcheck tool checks themselves live in packer/check.sh (CI); `packer validate` of the
 * version limits in __tests__/behaviour/packer/packer-validate.test.ts.
 */
import { listFiles, PACKER_DIR } from "./packer-files";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_VSPHERE_VERSION, MIN_HARDWARE_VERSION, VSPHERE_VERSION_LIMITS, VSPHERE_VERSIONS } from "../../lib/config/vsphere-versions";
import { parsePackerManifest } from "../../lib/vsphere/node-template-spec";
import { CONTAINERD_VERSION } from "../../lib/cluster/versions";

const read = (rel: string): string => fs.readFileSync(path.join(PACKER_DIR, rel), "utf8");

/** The custom_data keys NodeTemplate reads; Packer's custom_data is map(string). */
const CONTRACT_KEYS = [
  "template_name",
  "content_library",
  "os",
  "kubernetes_version",
  "containerd_version",
  "disk_gib",
  "firmware",
  "scsi_type",
  "build_id",
  "hardware_version",
  "guest_os_type",
] as const;

interface ManifestBuild {
  readonly name: string;
  readonly builder_type: string;
  readonly build_time: number;
  readonly files: unknown;
  readonly artifact_id: string;
  readonly packer_run_uuid: string;
  readonly custom_data: Record<string, unknown>;
}
interface Manifest {
  readonly builds: readonly ManifestBuild[];
  readonly last_run_uuid: string;
}


/**
 * Top-level blocks of an HCL file, e.g. { type: "variable", labels: ["disk_gib"], body }.
 * Brace matching skips quoted strings (with escapes and ${...}) and # / // comments, which is all
 * the HCL in packer/ uses (no heredocs).
 */
interface HclBlock {
  readonly type: string;
  readonly labels: readonly string[];
  readonly body: string;
}
function hclBlocks(text: string): HclBlock[] {
  const blocks: HclBlock[] = [];
  const header = /^([A-Za-z_][\w-]*)((?:\s+"[^"]*")*)\s*\{/gm;
  let match: RegExpExecArray | null;
  while ((match = header.exec(text)) !== null) {
    const start = match.index + match[0].length;
    const end = matchingBrace(text, start);
    const labels = [...match[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    blocks.push({ type: match[1], labels, body: text.slice(start, end) });
    header.lastIndex = end + 1;
  }
  return blocks;
}
function matchingBrace(text: string, from: number): number {
  let depth = 1;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new Error(`unbalanced braces after offset ${from}`);
}
/** `name = value` at the top level of a block body (nested blocks skipped). */
function attribute(body: string, name: string): string | undefined {
  let depth = 0;
  for (const line of body.split("\n")) {
    const trimmed = line.trim();
    if (depth === 0) {
      const m = new RegExp(`^${name}\\s*=\\s*(.+)$`).exec(trimmed);
      if (m) return m[1].trim();
    }
    if (trimmed.startsWith("#")) continue;
    depth += (trimmed.match(/\{\s*$/) ? 1 : 0) - (trimmed === "}" ? 1 : 0);
  }
  return undefined;
}

const hclFiles = listFiles(PACKER_DIR).filter((f) => f.endsWith(".pkr.hcl"));
const variables = hclFiles.flatMap((f) =>
  hclBlocks(read(f))
    .filter((b) => b.type === "variable")
    .map((b) => ({ file: f, name: b.labels[0], body: b.body, default: attribute(b.body, "default") })),
);
const manifest = JSON.parse(read("manifest.json")) as Manifest;
const current = (m: Manifest): ManifestBuild | undefined => m.builds.find((b) => b.packer_run_uuid === m.last_run_uuid);

describe("packer/manifest.json (read by NodeTemplate)", () => {
  test("last_run_uuid names exactly one build, a vsphere-iso build of the rocky9 source", () => {
    expect(Array.isArray(manifest.builds)).toBe(true);
    expect(typeof manifest.last_run_uuid).toBe("string");
    expect(manifest.builds.filter((b) => b.packer_run_uuid === manifest.last_run_uuid)).toHaveLength(1);
    const build = current(manifest)!;
    expect(build.name).toBe("rocky9");
    expect(build.builder_type).toBe("vsphere-iso");
    expect(Number.isInteger(build.build_time)).toBe(true);
  });

  test("custom_data has exactly the contract keys, all strings", () => {
    const data = current(manifest)!.custom_data;
    expect(Object.keys(data).sort()).toEqual([...CONTRACT_KEYS].sort());
    for (const key of CONTRACT_KEYS) expect(typeof data[key]).toBe("string");
  });

  test("values are consistent with each other and with the template name", () => {
    const build = current(manifest)!;
    const d = build.custom_data as Record<(typeof CONTRACT_KEYS)[number], string>;
    expect(d.kubernetes_version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(d.build_id).toMatch(/^\d{8}T\d{4}$/);
    expect(d.template_name).toBe(`rocky9-k8s-${d.kubernetes_version}-${d.build_id}`);
    expect(build.artifact_id).toBe(d.template_name);
    expect(d.os).toBe("rocky-9");
    expect(d.scsi_type).toBe("pvscsi");
    expect(["efi", "bios"]).toContain(d.firmware);
    expect(d.disk_gib).toMatch(/^\d+$/);
    expect(Number(d.disk_gib)).toBeGreaterThanOrEqual(20);
    // build_id is the build's UTC time (unless overridden): it must not be after build_time.
    const [, y, mo, day, h, mi] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)$/.exec(d.build_id)!;
    expect(Date.UTC(+y, +mo - 1, +day, +h, +mi) / 1000).toBeLessThanOrEqual(build.build_time);
  });

  test("the committed sample is the documented default: 1.35.9, 40 GiB, EFI, Rocky 9, PVSCSI", () => {
    expect(current(manifest)!.custom_data).toMatchObject({
      kubernetes_version: "1.35.9",
      disk_gib: "40",
      firmware: "efi",
      os: "rocky-9",
      scsi_type: "pvscsi",
      content_library: "",
      hardware_version: "19",
      guest_os_type: "rhel9_64Guest",
    });
  });

  test("the manifest post-processor writes exactly the contract keys", () => {
    const template = read("rocky9.pkr.hcl");
    const pp = hclBlocks(template)
      .filter((b) => b.type === "build")
      .flatMap((b) => hclBlocks(b.body.replace(/^ {2}/gm, "")))
      .find((b) => b.type === "post-processor" && b.labels[0] === "manifest");
    expect(pp).toBeDefined();
    expect(attribute(pp!.body, "output")).toBe('"${path.root}/manifest.json"');
    const customData = /custom_data\s*=\s*\{([^}]*)\}/.exec(pp!.body);
    expect(customData).not.toBeNull();
    const keys = [...customData![1].matchAll(/^\s*(\w+)\s*=/gm)].map((m) => m[1]);
    expect(keys.sort()).toEqual([...CONTRACT_KEYS].sort());
  });
});

describe("packer/*.pkr.hcl variables", () => {
  test("the HCL reader finds the variables (guards the tests below)", () => {
    expect(variables.map((v) => v.name)).toEqual(
      expect.arrayContaining(["kubernetes_version", "disk_gib", "firmware", "vcenter_password", "build_password"]),
    );
  });

  test("every Kubernetes version default equals the manifest's version", () => {
    const version = current(manifest)!.custom_data.kubernetes_version;
    const versionVars = variables.filter((v) => /kubernetes_version/.test(v.name) && v.default !== undefined);
    expect(versionVars.length).toBeGreaterThan(0);
    for (const v of versionVars) expect({ variable: v.name, default: JSON.parse(v.default!) }).toEqual({ variable: v.name, default: version });
  });

  test("defaults for disk and firmware match the committed manifest", () => {
    const d = current(manifest)!.custom_data;
    const byName = new Map(variables.map((v) => [v.name, v.default]));
    expect(byName.get("disk_gib")).toBe(d.disk_gib);
    expect(JSON.parse(byName.get("firmware")!)).toBe(d.firmware);
  });

  test("example.pkrvars.hcl builds the same Kubernetes version", () => {
    const m = /^kubernetes_version\s*=\s*"([^"]+)"/m.exec(read("example.pkrvars.hcl"));
    expect(m?.[1]).toBe(current(manifest)!.custom_data.kubernetes_version);
  });

  test("secrets are sensitive and have no default", () => {
    for (const name of ["vcenter_password", "build_password"]) {
      const v = variables.find((x) => x.name === name)!;
      expect({ name, sensitive: attribute(v.body, "sensitive"), default: v.default }).toEqual({ name, sensitive: "true", default: undefined });
    }
  });

  test("kubernetes_version, firmware and disk_gib are validated with a message", () => {
    for (const name of ["kubernetes_version", "firmware", "disk_gib"]) {
      const v = variables.find((x) => x.name === name)!;
      expect(v.body).toMatch(/validation\s*\{[\s\S]*condition[\s\S]*error_message\s*=\s*"The /);
    }
  });

  test("the baked-in kube-vip image and containerd are the versions the cluster bootstrap renders for", () => {
    const lib = (rel: string): string => fs.readFileSync(path.join(PACKER_DIR, "..", "lib", "cluster", rel), "utf8");
    const byName = new Map(variables.map((v) => [v.name, v.default]));
    const kubeVip = /KUBE_VIP_IMAGE = "ghcr\.io\/kube-vip\/kube-vip:([^"]+)"/.exec(lib("versions.ts"));
    expect(kubeVip).not.toBeNull();
    expect(JSON.parse(byName.get("kube_vip_version")!)).toBe(kubeVip![1]);
    // packer/files/containerd is generated for CONTAINERD_VERSION (config format 2 for 1.x, 3 for 2.x).
    expect(JSON.parse(byName.get("containerd_version")!)).toBe(CONTAINERD_VERSION);
    expect(current(manifest)!.custom_data.containerd_version).toBe(CONTAINERD_VERSION);
  });

  test("only plugins.pkr.hcl holds the packer/required_plugins block (Packer 1.6.6 rejects it)", () => {
    for (const file of hclFiles) {
      const hasPackerBlock = hclBlocks(read(file)).some((b) => b.type === "packer" || b.type === "data");
      expect({ file, hasPackerBlock }).toEqual({ file, hasPackerBlock: file === "plugins.pkr.hcl" });
    }
  });
});

describe("provisioning scripts", () => {
  const scripts = listFiles(PACKER_DIR).filter((f) => f.endsWith(".sh"));

  test("every script is strict bash: shebang, then set -euo pipefail before any command", () => {
    expect(scripts.length).toBeGreaterThanOrEqual(8);
    for (const file of scripts) {
      const lines = read(file).split("\n");
      const firstCode = lines.slice(1).find((l) => l.trim() !== "" && !l.trim().startsWith("#"));
      expect({ file, shebang: lines[0], firstCode }).toEqual({ file, shebang: "#!/usr/bin/env bash", firstCode: "set -euo pipefail" });
    }
  });

  test("every provisioning script is run by the build, and every script the build runs exists", () => {
    const template = read("rocky9.pkr.hcl");
    const referenced = [...template.matchAll(/"\$\{path\.root\}\/(scripts\/[^"]+\.sh)"/g)].map((m) => m[1]).sort();
    expect(referenced).toEqual(scripts.filter((f) => f.startsWith("scripts/")));
    // cleanup runs last
    expect(template.lastIndexOf("scripts/90-cleanup.sh")).toBeGreaterThan(template.lastIndexOf("scripts/60-guest-agents.sh"));
  });
});

/** http(s)/ftp URLs whose host is neither a variable nor a placeholder domain. */
function publicUrls(text: string): string[] {
  const placeholder = /^(\$|[^/]*\.example\.(internal|com|org)([:/]|$)|example\.(com|org)([:/]|$)|localhost([:/]|$))/;
  return [...text.matchAll(/\b(?:https?|ftp):\/\/([^\s"'`)<>]+)/g)].map((m) => m[1]).filter((rest) => !placeholder.test(rest));
}

describe("air-gap: nothing under packer/ points at the internet", () => {
  test("the URL detector flags public URLs and accepts variables and placeholder domains", () => {
    expect(publicUrls("baseurl=https://dl.rockylinux.org/pub/rocky/9/BaseOS")).toEqual(["dl.rockylinux.org/pub/rocky/9/BaseOS"]);
    expect(publicUrls('[host."https://registry.k8s.io"]')).toEqual(["registry.k8s.io"]);
    expect(publicUrls("baseurl=${YUM_MIRROR_BASEOS} gpgkey=https://${MIRROR}/key")).toEqual([]);
    expect(publicUrls('"https://mirror.example.internal/rocky/9/"')).toEqual([]);
  });

  test("no file except the README has a public URL", () => {
    // files/containerd/etc is generated from lib/cluster (checked in node-image-files.test.ts): its only
    // URLs are each hosts.toml's upstream `server`, containerd's fallback when the mirror fails.
    const generated = (f: string): boolean => f.startsWith("files/containerd/etc/");
    for (const file of listFiles(PACKER_DIR).filter((f) => f !== "README.md" && !generated(f))) {
      expect({ file, urls: publicUrls(read(file)) }).toEqual({ file, urls: [] });
    }
  });

  test("repository files use only the mirror variables and no mirrorlist/metalink", () => {
    const repos = read("scripts/10-yum-repos.sh");
    const baseurls = [...repos.matchAll(/^(baseurl|gpgkey)=(.*)$/gm)].map((m) => m[2]);
    expect(baseurls.length).toBeGreaterThanOrEqual(8);
    for (const url of baseurls) expect(url).toMatch(/^(\$\{YUM_MIRROR_[A-Z_]+(%\/)?\}|file:\/\/\/etc\/pki\/rpm-gpg\/)/);
    expect(repos).not.toMatch(/^(mirrorlist|metalink)=/m);
    // the stock repositories are disabled and the build fails closed on any other enabled repo
    expect(repos).toMatch(/enabled=0/);
    expect(repos).toMatch(/expected="internal-appstream internal-baseos internal-containerd internal-kubernetes "/);
  });

  test("the kickstart installs from the ISO only", () => {
    const ks = read("kickstart/ks.cfg");
    expect(ks).toMatch(/^cdrom$/m);
    expect(ks).not.toMatch(/^(url|repo|liveimg|nfs)\s/m);
  });
});

describe("kickstart holds no password", () => {
  const ks = read("kickstart/ks.cfg");
  const commands = ks.split("\n").filter((l) => !l.trim().startsWith("#"));

  test("root is locked", () => {
    expect(commands).toContain("rootpw --lock");
  });

  test("no user, rootpw or sshpw command carries a password", () => {
    for (const line of commands.filter((l) => /^(rootpw|user|sshpw)\b/.test(l))) {
      expect(line).not.toMatch(/--(plaintext|iscrypted|password)\b/);
      expect(line).toMatch(/--lock\b/);
    }
  });

  test("the build password is read from the kernel command line, not written in the file", () => {
    expect(ks).toMatch(/packer_build_password=\*\)/);
    expect(ks).toMatch(/\/proc\/cmdline/);
    const example = /^build_password\s*=\s*"([^"]+)"/m.exec(read("example.pkrvars.hcl"))![1];
    expect(ks).not.toContain(example);
  });
});

describe("vSphere version limits (vsphere_version, vm_hardware_version, guest_os_type)", () => {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const locals = hclBlocks(read("variables.pkr.hcl")).filter((b) => b.type === "locals").map((b) => b.body).join("\n");

  test("the HCL table equals lib/config/vsphere-versions.ts", () => {
    const rows = [...locals.matchAll(/^\s*"([\d.]+)" = \{ max_hardware_version = (\d+), guest_os_types = (\[[^\]]*\]) \}/gm)];
    const hcl = Object.fromEntries(rows.map((m) => [m[1], { maxHardwareVersion: Number(m[2]), guestIds: JSON.parse(m[3]) }]));
    const ts = Object.fromEntries(VSPHERE_VERSIONS.map((v) => [v, { maxHardwareVersion: VSPHERE_VERSION_LIMITS[v].maxHardwareVersion, guestIds: VSPHERE_VERSION_LIMITS[v].guestIds }]));
    expect(hcl).toEqual(ts);
  });

  test("the variables' own validations allow exactly the table's versions and guest ids", () => {
    expect(byName.get("vsphere_version")!.body).toContain(`contains(${JSON.stringify(VSPHERE_VERSIONS).replace(/,/g, ", ")}, var.vsphere_version)`);
    const guestIds = /contains\((\[[^\]]*\]), var\.guest_os_type\)/.exec(byName.get("guest_os_type")!.body);
    const all = new Set(VSPHERE_VERSIONS.flatMap((v) => VSPHERE_VERSION_LIMITS[v].guestIds));
    expect(new Set(JSON.parse(guestIds![1]))).toEqual(new Set(["", ...all]));
    expect(byName.get("vm_hardware_version")!.body).toContain(`var.vm_hardware_version >= ${MIN_HARDWARE_VERSION} &&`);
    for (const name of ["vsphere_version", "vm_hardware_version", "guest_os_type"]) {
      expect(byName.get(name)!.body).toMatch(/validation\s*\{[\s\S]*condition[\s\S]*error_message\s*=\s*"The /);
    }
  });

  test("defaults build what the default vSphere version runs, as the committed manifest records", () => {
    expect(JSON.parse(byName.get("vsphere_version")!.default!)).toBe(DEFAULT_VSPHERE_VERSION);
    expect(byName.get("vm_hardware_version")!.default).toBe("0");
    expect(JSON.parse(byName.get("guest_os_type")!.default!)).toBe("");
    const limits = VSPHERE_VERSION_LIMITS[DEFAULT_VSPHERE_VERSION];
    const spec = parsePackerManifest(read("manifest.json"), "packer/manifest.json", "t");
    expect({ hw: spec.hardwareVersion, guest: spec.guestId }).toEqual({ hw: limits.maxHardwareVersion, guest: limits.guestIds[0] });
  });

  test("the source uses the checked locals and waits for the IP as long as for SSH (a full install)", () => {
    const template = read("rocky9.pkr.hcl");
    expect(template).toMatch(/^\s*guest_os_type\s*=\s*local\.guest_os_type$/m);
    expect(template).toMatch(/^\s*vm_version\s*=\s*local\.hardware_version$/m);
    expect(template).toMatch(/^\s*ip_wait_timeout\s*=\s*var\.ssh_timeout$/m);
    expect(JSON.parse(byName.get("ssh_timeout")!.default!)).toBe("60m");
  });
});
