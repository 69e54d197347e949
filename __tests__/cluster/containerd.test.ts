import { parse } from "yaml";
import { containerdConfigToml } from "../../lib/cluster/containerd";
import { CONTAINERD_VERSION } from "../../lib/cluster/versions";
import { parsePackerManifest } from "../../lib/vsphere/node-template-spec";
import { synthEnvironments } from "../helpers/synth";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sandbox } from "../../stacks/sandbox";

const PAUSE = "mirror.example.internal/registry.k8s.io/pause:3.10.1";

describe("containerd config.toml follows the image's containerd version", () => {
  test("1.x: config version 2 with the grpc.v1.cri plugin tables", () => {
    const toml = containerdConfigToml(PAUSE, "1.7.28");
    expect(toml).toMatch(/^version = 2$/m);
    expect(toml).toContain(`[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "${PAUSE}"`);
    expect(toml).toContain(`[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true`);
    expect(toml).toContain(`[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"`);
  });

  test("2.x: config version 3 with the split CRI plugins (images, runtime) and pinned sandbox image", () => {
    const toml = containerdConfigToml(PAUSE, "2.1.4");
    expect(toml).toMatch(/^version = 3$/m);
    expect(toml).not.toContain("io.containerd.grpc.v1.cri");
    expect(toml).toContain(`[plugins.'io.containerd.cri.v1.images'.pinned_images]\n  sandbox = '${PAUSE}'`);
    expect(toml).toContain(`[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '/etc/containerd/certs.d'`);
    expect(toml).toContain(`[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true`);
  });

  test("the default is the pinned CONTAINERD_VERSION; a malformed version is a bug, not a silent default", () => {
    expect(containerdConfigToml(PAUSE)).toBe(containerdConfigToml(PAUSE, CONTAINERD_VERSION));
    expect(() => containerdConfigToml(PAUSE, "1.7")).toThrow(/exact containerd version/);
  });
});

describe("the template's containerd version reaches every node's cloud-config", () => {
  const manifest = readFileSync(join(__dirname, "..", "..", "packer", "manifest.json"), "utf8");

  test("packer/manifest.json records containerd_version; manifests without it still parse", () => {
    expect(parsePackerManifest(manifest, "packer/manifest.json", "t").containerdVersion).toBe(CONTAINERD_VERSION);
    const older = JSON.parse(manifest);
    delete older.builds[0].custom_data.containerd_version;
    expect(parsePackerManifest(JSON.stringify(older), "old.json", "t").containerdVersion).toBeUndefined();
    const bad = JSON.parse(manifest);
    bad.builds[0].custom_data.containerd_version = "latest";
    expect(() => parsePackerManifest(JSON.stringify(bad), "bad.json", "t")).toThrow(/custom_data.containerd_version = "latest" must be the exact containerd version/);
  });

  test("a node cloned from a containerd 2.x template gets a version 3 config.toml (synthesized)", () => {
    const dir = mkdtempSync(join(tmpdir(), "manifest-"));
    const next = JSON.parse(manifest);
    next.builds[0].custom_data.containerd_version = "2.1.4";
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(next));
    const { outdir } = synthEnvironments([{ ...sandbox, template: { manifest: join(dir, "manifest.json") } }]);
    const cc = parse(readFileSync(join(outdir, "rendered", "sandbox", "sandbox-control-plane-1.cloud-config.yaml"), "utf8"));
    const config = cc.write_files.find((f: { path: string }) => f.path === "/etc/containerd/config.toml");
    expect(config.content).toContain("for containerd 2.1.4;");
    expect(config.content).toMatch(/^version = 3$/m);
  });
});
