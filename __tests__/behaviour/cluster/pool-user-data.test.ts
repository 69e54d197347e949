import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudConfigRenderer } from "../../../lib/cluster/pool-cloud-config";
import { placeholderSecrets } from "../../../lib/cluster/secrets";
import type { EnvironmentConfig } from "../../../lib/config/types";
import { resolveNodeTemplate } from "../../../lib/vsphere/node-template-spec";
import { itWithTool } from "../../tools";
import { prodLike } from "../../cluster/fixtures";
import { synthCluster } from "../../cluster/synth-helpers";

/** prodLike with 5 general workers, two of them rebuilt (revisions), one at a two-digit revision. */
const env: EnvironmentConfig = {
  ...prodLike,
  workers: prodLike.workers.map((p) =>
    p.name === "general"
      ? { ...p, count: 5, ips: ["10.20.30.41", "10.20.30.42", "10.20.30.43", "10.20.30.44", "10.20.30.45"], nodeRevisions: { "prod-general-2": 3, "prod-general-5": 12 } }
      : p,
  ),
};
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * A worker's user-data is its pool's Terraform local with the node's values put in by Terraform (replace()).
 * Real Terraform evaluates each worker's synthesized expression, verbatim, with the pool local holding the
 * pool's text (secrets as placeholders, as in the reviewable files), and must get exactly the gzip of the
 * node's own rendered cloud-config, i.e. what the per-node Terraform of before gave the node.
 */
describe("worker user-data through one Terraform local per pool", () => {
  const { json, cluster } = synthCluster(env);
  const vms = Object.values(json.resource.vsphere_virtual_machine as Record<string, any>);
  const workers = vms.filter((vm) => !String(vm.name).includes("control-plane"));

  it("each worker costs a few function calls: its expression names its pool's local and its own values only", () => {
    expect(workers).toHaveLength(8);
    for (const vm of workers) {
      const expr = vm.extra_config["guestinfo.userdata"] as string;
      expect(expr).toMatch(/^\$\{base64gzip\(replace\(replace\(replace\(replace\(local\.[\w-]+, "<node:name>", "[\w-]+"\), "<node:ip>", "[\d.]+"\), "<node:index>", "\d+"\), "<node:revision>", "\d+"\)\)\}$/);
      expect(expr).toContain(`"${vm.name}"`);
    }
    expect(Object.keys(json.locals)).toHaveLength(2);
    // Control-plane nodes (each different) keep their own expression.
    for (const vm of vms.filter((v) => String(v.name).includes("control-plane"))) expect(vm.extra_config["guestinfo.userdata"]).toMatch(/^\$\{base64gzip\(join\(/);
  });

  itWithTool("terraform", ["version"])("Terraform evaluates every worker's user-data to the gzip of its rendered cloud-config", () => {
    const render = cloudConfigRenderer(env, placeholderSecrets(), () => ({
      containerdVersion: resolveNodeTemplate(env.name, env.template).containerdVersion,
      kubernetesVersion: env.kubernetes.version,
    }));
    const holes = { name: "<node:name>", ip: "<node:ip>", index: "<node:index>", revision: "<node:revision>" };
    const locals: Record<string, string> = {};
    const checks: string[] = [];
    workers.forEach((vm, i) => {
      const expr = vm.extra_config["guestinfo.userdata"] as string;
      const local = /local\.([\w-]+)/.exec(expr)?.[1] as string;
      const pool = String(vm.name).split("-")[1];
      const template = render.templateOf({ name: vm.name, ip: "", index: 0, role: "worker", pool });
      expect(template).toBeDefined();
      locals[local] = `\${base64decode("${b64(template?.fill(holes) ?? "")}")}`;
      locals[`vm_${i}`] = expr;
      locals[`want_${i}`] = `\${base64gzip(base64decode("${b64(cluster.renderedCloudConfigs.get(`${vm.name}.cloud-config.yaml`) ?? "missing")}"))}`;
      checks.push(`local.vm_${i} == local.want_${i}`);
    });
    const dir = mkdtempSync(join(tmpdir(), "pool-user-data-"));
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ locals }));
    const out = execFileSync("terraform", ["console"], { cwd: dir, input: `[${checks.join(", ")}]\n`, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    expect(out.match(/\btrue\b/g)).toHaveLength(workers.length);
    expect(out).not.toMatch(/\bfalse\b/);
  });
});
