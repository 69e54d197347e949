import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import type { EnvironmentConfig } from "../../../lib/config/types";
import { validateEnvironment } from "../../../lib/config/validate";
import { sandboxLike } from "../../cluster/fixtures";

/** A sandbox-like environment on `<net>.0/24` whose backups go to `s3Endpoint` (hourly, kept 2 days). */
export function loopbackSandbox(name: string, net: string, s3Endpoint: string, caPem: string, extra: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return validateEnvironment({
    ...sandboxLike,
    name,
    network: { ...sandboxLike.network, cidr: `${net}.0/24`, gateway: `${net}.1` },
    controlPlane: { ...sandboxLike.controlPlane, ips: [`${net}.11`] },
    workers: sandboxLike.workers.map((pool) => ({ ...pool, ips: [`${net}.31`] })),
    kubernetes: { ...sandboxLike.kubernetes, apiVip: `${net}.10` },
    backups: { objectStore: { endpoint: s3Endpoint, caPem }, etcdSnapshots: { intervalHours: 1, retentionDays: 2 } },
    ...extra,
  });
}

/** The tools directory the script uses instead of the etcd image: Debian's etcdctl, twice. */
export function etcdTools(dir: string): string {
  const tools = join(dir, "etcd-tools");
  mkdirSync(tools, { recursive: true });
  symlinkSync(execFileSync("bash", ["-c", "command -v etcdctl"], { encoding: "utf8" }).trim(), join(tools, "etcdctl"));
  writeFileSync(join(tools, "etcdutl"), '#!/bin/bash\nETCDCTL_API=3 exec etcdctl "$@"\n');
  chmodSync(join(tools, "etcdutl"), 0o755);
  return tools;
}

/** The node's write_files under `root`, as cloud-init leaves them. */
export function writeNodeFiles(root: string, cloudConfig: string): void {
  const doc = parse(cloudConfig) as { write_files: { path: string; content: string; encoding?: string; permissions: string }[] };
  for (const f of doc.write_files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.encoding === "b64" ? Buffer.from(f.content, "base64") : f.content);
    chmodSync(path, parseInt(f.permissions, 8));
  }
}

