import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../review/user-error";

/** One node of a pool, as the synthesized stack has it. */
export interface SynthNode {
  readonly name: string;
  readonly revision: number;
  /** Has a Ceph data disk (a second disk): the roll waits for HEALTH_OK around it. */
  readonly storage: boolean;
}

/** The stack's cdk.tf.json: where the roll finds the pool's nodes, in order, and their revisions. */
export function stackFile(synthDir: string, env: string): string {
  return join(synthDir, "stacks", env, "cdk.tf.json");
}

export function readStack(synthDir: string, env: string): any {
  const file = stackFile(synthDir, env);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`cannot read the synth of "${env}" (${file}: ${(e as Error).message}); run npm run synth first`);
  }
}

/** The pool's nodes in index order, from its `nodes_<pool>` output and its VMs' `replace_trigger`. */
export function poolNodesFromSynth(stack: any, env: string, pool: string): SynthNode[] {
  const output = stack.output?.[`nodes_${pool}`]?.value;
  if (!output || typeof output !== "object") {
    const pools = Object.keys(stack.output ?? {}).filter((k) => k.startsWith("nodes_")).map((k) => k.slice(6));
    throw new UserError(`"${env}" has no pool "${pool}"; its pools are ${pools.join(", ")}`);
  }
  const vms = new Map<string, any>();
  for (const vm of Object.values<any>(stack.resource?.vsphere_virtual_machine ?? {})) vms.set(vm.name, vm);
  return Object.keys(output).map((name) => {
    const vm = vms.get(name);
    const revision = Number(/^revision-(\d+)$/.exec(vm?.replace_trigger ?? "")?.[1]);
    if (!vm || !Number.isInteger(revision)) throw new UserError(`the synth of "${env}" has no VM ${name} with a replace_trigger "revision-<n>"; run npm run synth`);
    return { name, revision, storage: (vm.disk ?? []).length > 1 };
  });
}
