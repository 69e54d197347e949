import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The steps of one node, in order; the state file names the next one to run. */
export const ROLL_STEPS = ["ceph-before", "cordon", "drain", "bump", "synth", "plan", "apply", "ready", "ceph-after", "uncordon"] as const;
export type RollStep = (typeof ROLL_STEPS)[number];

export const STEP_TEXT: Readonly<Record<RollStep, string>> = {
  "ceph-before": "storage nodes: wait until Ceph is HEALTH_OK before taking one away",
  cordon: "cordon the node (spec.unschedulable), remembering its boot id",
  drain: "evict its pods through the Eviction API (PodDisruptionBudgets respected; DaemonSet and mirror pods stay)",
  bump: "bump its revision in the revision file",
  synth: "synthesize the stacks",
  plan: "terraform plan -out, then the review gate: exactly this VM replaced, nothing else refused",
  apply: "terraform apply of that plan",
  ready: "wait until the node is Ready again as a new machine (boot id changed or Node created after the roll began)",
  "ceph-after": "storage nodes: wait until Ceph is HEALTH_OK again",
  uncordon: "uncordon the node",
};

/** Progress of one roll, written after every step so a rerun resumes where it stopped. */
export interface RollState {
  readonly env: string;
  readonly pool: string;
  readonly nodes: readonly string[];
  /** The nodes with a Ceph data disk: Ceph must be HEALTH_OK before and after each. */
  readonly storage: readonly string[];
  readonly startedAt: string;
  done: string[];
  current?: {
    node: string;
    step: RollStep;
    /** The revision this roll writes for the node (fixed once: a resumed bump writes the same value). */
    revision?: number;
    bootId?: string;
    /** When it was cordoned: a Node created after that is the new machine. */
    since?: string;
    /** An apply of this node was started: the plan may then show the VM already replaced or destroyed. */
    applyStarted?: boolean;
  };
}

export function loadRollState(file: string): RollState | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as RollState) : undefined;
}

export function saveRollState(file: string, state: RollState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2) + "\n");
}

export function clearRollState(file: string): void {
  rmSync(file, { force: true });
}
