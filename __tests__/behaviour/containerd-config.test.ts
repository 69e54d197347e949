/**
 * The generated /etc/containerd/config.toml as the real containerd reads it: `containerd --config F
 * config dump` prints the effective configuration (file merged over defaults). A key in the wrong
 * table is ignored silently, so the test reads each value back from the table containerd uses.
 * Debian has containerd 1.6, which reads config version 2 like the pinned 1.7 does; the version 3
 * format (containerd 2.x) cannot be checked here (1.6 ignores the version number and its tables).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { site } from "../../stacks/site";
import { synthEnvironments } from "../helpers/synth";
import { describeWithTool } from "../tools";
import { cloudConfigContainerdFiles, packerContainerdFiles } from "./containerd-files";

const CRI = `plugins."io.containerd.grpc.v1.cri"`;

/** `containerd config dump` of a config file, as table -> key -> raw TOML value. */
function effectiveConfig(configToml: string): Map<string, Map<string, string>> {
  const file = join(mkdtempSync(join(tmpdir(), "containerd-config-")), "config.toml");
  writeFileSync(file, configToml);
  const dump = spawnSync("containerd", ["--config", file, "config", "dump"], { encoding: "utf8" });
  if (dump.status !== 0) throw new Error(`containerd rejected the config:\n${dump.stderr}`);
  const tables = new Map<string, Map<string, string>>([["", new Map()]]);
  let table = tables.get("")!;
  for (const line of dump.stdout.split("\n")) {
    const header = /^\s*\[([^[\]].*)\]\s*$/.exec(line);
    const entry = /^\s*([\w.-]+|"[^"]+")\s*=\s*(.+?)\s*$/.exec(line);
    if (header) tables.set(header[1], (table = new Map()));
    else if (entry) table.set(entry[1], entry[2]);
  }
  return tables;
}

describeWithTool("containerd")("generated config.toml, read back by the real containerd (config dump)", () => {
  const configs = new Map<string, string>();
  const pause = `${site.registryMirror.host}/${site.registryMirror.pathPrefix}/registry.k8s.io/pause:3.10.1`;

  beforeAll(() => {
    for (const [env, files] of cloudConfigContainerdFiles(synthEnvironments().outdir)) configs.set(`cloud-config ${env}`, files.get("/etc/containerd/config.toml")!);
    configs.set("node image", packerContainerdFiles(site.registryMirror).get("/etc/containerd/config.toml")!);
  });

  test("each environment's cloud-config and the node image write one", () => {
    expect([...configs.keys()].sort()).toEqual(["cloud-config dev", "cloud-config prod", "cloud-config sandbox", "node image"]);
  });

  test("containerd takes SystemdCgroup = true, config_path = certs.d and the mirror's pause image, config version 2", () => {
    for (const [name, toml] of configs) {
      const effective = effectiveConfig(toml);
      expect({
        name,
        version: effective.get("")!.get("version"),
        systemdCgroup: effective.get(`${CRI}.containerd.runtimes.runc.options`)?.get("SystemdCgroup"),
        runtimeType: effective.get(`${CRI}.containerd.runtimes.runc`)?.get("runtime_type"),
        configPath: effective.get(`${CRI}.registry`)?.get("config_path"),
        sandboxImage: effective.get(CRI)?.get("sandbox_image"),
      }).toEqual({
        name,
        version: "2",
        systemdCgroup: "true",
        runtimeType: '"io.containerd.runc.v2"',
        configPath: '"/etc/containerd/certs.d"',
        sandboxImage: `"${pause}"`,
      });
    }
  });

  test("control: a key under a mistyped table is dropped by containerd, and the check sees it", () => {
    const typo = configs.get("cloud-config prod")!.replace("runtimes.runc.options]", "runtimes.runc.option]");
    expect(effectiveConfig(typo).get(`${CRI}.containerd.runtimes.runc.options`)?.get("SystemdCgroup")).not.toBe("true");
  });
});
