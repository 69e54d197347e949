import { rmSync } from "node:fs";
import { NAMESPACE } from "../platform/names";
import { asPlanJson } from "../review/plan-json";
import { synthResources } from "../review/synth-resources";
import { UserError } from "../review/user-error";
import { drainNode } from "./drain";
import type { KubeApi } from "./kube-api";
import { poolNodesFromSynth, readStack } from "./pool-synth";
import { rollPlanProblems } from "./roll-plan";
import { clearRollState, loadRollState, ROLL_STEPS, saveRollState, STEP_TEXT, type RollState, type RollStep } from "./roll-state";
import { writeNodeRevision } from "./revision-file";
import { RollError, waitFor, type Patience } from "./wait";

/** Terraform in the stack's directory (cdktf.out/stacks/<env>); tests play it with stand-in plans. */
export interface TerraformRunner {
  /** init if needed, then `plan -out=<planFile>`. */
  plan(planFile: string): Promise<void>;
  /** `show -json <planFile>`, parsed. */
  showPlan(planFile: string): Promise<unknown>;
  apply(planFile: string): Promise<void>;
}

export interface RollDeps {
  readonly kube: KubeApi;
  readonly terraform: TerraformRunner;
  /** Synthesizes the stacks after a bump (npm run synth, or --synth-command). */
  readonly synth: () => Promise<void>;
  readonly log: (line: string) => void;
}

export interface RollOptions {
  readonly env: string;
  readonly pool: string;
  /** Only these nodes of the pool, in this order. @default every node of the pool, by index */
  readonly nodes?: readonly string[];
  readonly synthDir: string;
  /** stacks/revisions/<env>.json */
  readonly revisionFile: string;
  /** .roll/<env>.json */
  readonly stateFile: string;
  readonly planFile: string;
  readonly drain: Patience & { readonly force?: boolean };
  readonly ready: Patience;
  readonly ceph: Patience;
}

/** The dry run: which nodes, and what happens to each. */
export function rollSteps(options: RollOptions): string[] {
  const nodes = selectNodes(options, poolNodesFromSynth(readStack(options.synthDir, options.env), options.env, options.pool));
  const lines = [`roll of ${options.env} pool ${options.pool}: ${nodes.map((n) => n.name).join(", ")} (one at a time)`];
  for (const node of nodes) {
    lines.push(`${node.name} (revision ${node.revision} -> ${node.revision + 1}${node.storage ? ", Ceph storage node" : ""}):`);
    for (const step of ROLL_STEPS) if (node.storage || !step.startsWith("ceph")) lines.push(`  ${step}: ${STEP_TEXT[step]}`);
  }
  lines.push(`progress in ${options.stateFile}; the bumped ${options.revisionFile} is left for your merge request`);
  return lines;
}

function selectNodes<T extends { name: string }>(options: RollOptions, all: readonly T[]): T[] {
  if (!options.nodes) return [...all];
  return options.nodes.map((name) => {
    const node = all.find((n) => n.name === name);
    if (!node) throw new UserError(`--node ${name} is not a node of ${options.env} pool ${options.pool}; its nodes are ${all.map((n) => n.name).join(", ")}`);
    return node;
  });
}

/**
 * Rolls a pool node by node: drain, bump the revision, synth, plan, gate, apply, wait for the new
 * node (and Ceph), uncordon. Progress is saved after every step; a rerun after a failure resumes at
 * the failed step (a failed plan or apply is planned again: a saved plan may be stale).
 */
export async function roll(options: RollOptions, deps: RollDeps): Promise<void> {
  const { log } = deps;
  const state = startOrResume(options, log);
  const save = () => saveRollState(options.stateFile, state);

  for (const node of state.nodes) {
    if (state.done.includes(node)) continue;
    if (state.current?.node !== node) state.current = { node, step: ROLL_STEPS[0] };
    const current = state.current!;
    // Plan again after anything failed at synth, plan or apply; the bump writes the same revision again.
    if (current.step === "synth" || current.step === "plan" || current.step === "apply") current.step = "bump";
    const storage = state.storage.includes(node);

    for (let i = ROLL_STEPS.indexOf(current.step); i < ROLL_STEPS.length; i++) {
      const step = ROLL_STEPS[i];
      current.step = step;
      // Saved before the apply runs: if it fails part way, the rerun knows the VM may be gone already.
      if (step === "apply") current.applyStarted = true;
      save();
      if (step.startsWith("ceph") && !storage) continue;
      log(`${node}: ${step}`);
      await runStep(step, node, current, options, deps);
    }
    state.done.push(node);
    state.current = undefined;
    save();
    log(`${node}: rolled`);
  }
  clearRollState(options.stateFile);
  log(`roll of ${options.env} pool ${options.pool} done: commit ${options.revisionFile} (the new revisions) in a merge request`);
}

function startOrResume(options: RollOptions, log: (line: string) => void): RollState {
  const saved = loadRollState(options.stateFile) as RollState | undefined;
  if (saved) {
    const otherNodes = options.nodes !== undefined && options.nodes.join() !== saved.nodes.join();
    if (saved.env !== options.env || saved.pool !== options.pool || otherNodes) {
      throw new UserError(
        `an unfinished roll of ${saved.env} pool ${saved.pool} (${saved.nodes.join(", ")}) is recorded in ${options.stateFile}: ` +
          `finish it (npm run roll -- --env ${saved.env} --pool ${saved.pool}) or delete that file once its node is uncordoned`,
      );
    }
    log(`resuming the roll of ${saved.env} pool ${saved.pool}${saved.current ? ` at ${saved.current.node}: ${saved.current.step}` : ""}`);
    return saved;
  }
  const nodes = selectNodes(options, poolNodesFromSynth(readStack(options.synthDir, options.env), options.env, options.pool));
  const state: RollState = {
    env: options.env,
    pool: options.pool,
    nodes: nodes.map((n) => n.name),
    storage: nodes.filter((n) => n.storage).map((n) => n.name),
    startedAt: new Date().toISOString(),
    done: [],
  };
  saveRollState(options.stateFile, state);
  return state;
}

type Current = NonNullable<RollState["current"]>;

async function runStep(step: RollStep, node: string, current: Current, options: RollOptions, deps: RollDeps): Promise<void> {
  const { kube, terraform, log } = deps;
  switch (step) {
    case "ceph-before":
    case "ceph-after":
      return waitForCephHealthy(kube, options.ceph, node);
    case "cordon": {
      const found = await kube.getNode(node);
      if (!found) throw new RollError(`${node}: no such Node in the cluster; a node that never joined is rebuilt with a plain revision bump`);
      current.bootId = found.status?.nodeInfo?.bootID;
      current.since = new Date().toISOString();
      return kube.setUnschedulable(node, true);
    }
    case "drain":
      return drainNode(kube, node, { ...options.drain, log });
    case "bump": {
      if (current.revision === undefined) {
        const synthNode = poolNodesFromSynth(readStack(options.synthDir, options.env), options.env, options.pool).find((n) => n.name === node);
        current.revision = (synthNode?.revision ?? 0) + 1;
      }
      writeNodeRevision(options.revisionFile, node, current.revision);
      return;
    }
    case "synth":
      return deps.synth();
    case "plan": {
      await terraform.plan(options.planFile);
      const plan = asPlanJson(await terraform.showPlan(options.planFile), options.planFile);
      if (typeof plan === "string") throw new RollError(plan);
      const synth = synthResources(readStack(options.synthDir, options.env));
      const problems = rollPlanProblems({ stack: options.env, plan, synth, node, resumingApply: current.applyStarted === true });
      if (problems.length === 0) return;
      rmSync(options.planFile, { force: true });
      throw new RollError(
        `${node}: not applying the plan:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
          `${node} stays cordoned with revision ${current.revision} in ${options.revisionFile}. Fix the cause and rerun to resume, ` +
          `or abandon: restore the revision file, npm run synth, and uncordon the node`,
      );
    }
    case "apply":
      try {
        await terraform.apply(options.planFile);
      } finally {
        // The plan file holds every secret of the stack in clear text; a resumed roll plans again.
        rmSync(options.planFile, { force: true });
      }
      return;
    case "ready":
      return waitForNewReadyNode(kube, node, current, options.ready);
    case "uncordon":
      return kube.setUnschedulable(node, false);
  }
}

/** Ready, and a new machine: its boot id differs from the one before the roll, or its Node is newer than the roll. */
async function waitForNewReadyNode(kube: KubeApi, node: string, current: Current, patience: Patience): Promise<void> {
  await waitFor(
    patience,
    async (note) => {
      const found = await kube.getNode(node);
      if (!found) return note("no Node object yet"), undefined;
      const ready = (found.status?.conditions ?? []).find((c: any) => c.type === "Ready")?.status === "True";
      const bootId = found.status?.nodeInfo?.bootID;
      const created = Date.parse(found.metadata?.creationTimestamp ?? "");
      const isNew = (bootId !== undefined && bootId !== current.bootId) || (current.since !== undefined && created > Date.parse(current.since));
      if (ready && isNew) return true;
      note(isNew ? "the new machine is not Ready" : `still the old machine (boot id ${bootId})`);
      return undefined;
    },
    (last, seconds) => `${node}: not Ready as a new machine after ${seconds} s (${last}); look at the VM's console and cloud-init log, then rerun to keep waiting`,
  );
}

async function waitForCephHealthy(kube: KubeApi, patience: Patience, node: string): Promise<void> {
  const path = `/apis/ceph.rook.io/v1/namespaces/${NAMESPACE.rook}/cephclusters`;
  await waitFor(
    patience,
    async (note) => {
      const cluster = (await kube.get(path))?.items?.[0];
      const health = cluster?.status?.ceph?.health;
      if (health === "HEALTH_OK") return true;
      note(cluster ? `CephCluster ${NAMESPACE.rook}/${cluster.metadata?.name} status.ceph.health is ${health ?? "not reported"}` : `no CephCluster in ${NAMESPACE.rook}`);
      return undefined;
    },
    (last, seconds) =>
      `${node}: Ceph not HEALTH_OK after ${seconds} s (${last}); see \`ceph status\` in the rook-ceph toolbox or the CephCluster's status.ceph.details, then rerun npm run roll to resume (the node stays cordoned)`,
  );
}
