/**
 * REAL Terraform plans of built-in `terraform_data` stand-ins, retyped to the provider types the
 * gate judges (provider binaries cannot be downloaded here). Terraform applies version 1 of a
 * config, then plans version 2, so actions, addresses, `previous_address` (moved blocks), `forget`
 * (removed blocks), module addresses, indexes, sensitivity and replace_paths are all Terraform's own.
 * Retyping then sets each entry's type (and address), and its `input` becomes its attributes.
 */
import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { asPlanJson, type PlanJson, type PlanResourceChange } from "../../lib/review/plan-json";
import { synthResources, type SynthResource } from "../../lib/review/synth-resources";

/** One stand-in: the provider type it plays, its construct path, its attributes. */
export interface StandIn {
  readonly as: string;
  readonly path: string;
  readonly input: Record<string, unknown>;
  /** Changing this replaces the resource (terraform_data's triggers_replace). */
  readonly replaceOn?: unknown;
  /** The provider attribute that forces the replacement, in place of `triggers_replace`. */
  readonly replacePathAs?: string;
}

/** A stand-in config version: resources by Terraform name, plus raw Terraform JSON to merge in. */
export interface Version {
  readonly resources: Readonly<Record<string, StandIn>>;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface StandInPlan {
  readonly dir: string;
  /** The retyped plan. */
  readonly plan: PlanJson;
  /** Terraform's untouched plan, e.g. to check the entries are real. */
  readonly rawPlan: PlanJson;
  /** Synths in the retyped types (as cdktf would write them): head = version 2, base = version 1. */
  readonly synth: Map<string, SynthResource>;
  readonly baseSynth: Map<string, SynthResource>;
  /** The head synth as cdk.tf.json content, for the CLI's --synth-dir. */
  readonly synthJson: unknown;
  /** `terraform show -json` of the applied state (not a plan). */
  readonly stateJson: unknown;
}

const TF_ENV = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };

/** Module directories (`modules/<name>/main.tf.json`) the versions may use. */
export function planStandIns(v1: Version, v2: Version, modules: Record<string, unknown> = {}, moduleStandIns: Record<string, StandIn> = {}): StandInPlan {
  const dir = mkdtempSync(join(tmpdir(), "gate-table-"));
  for (const [name, body] of Object.entries(modules)) {
    mkdirSync(join(dir, "modules", name), { recursive: true });
    writeFileSync(join(dir, "modules", name, "main.tf.json"), JSON.stringify(body));
  }
  const tf = (...args: string[]) => execFileSync("terraform", args, { cwd: dir, env: TF_ENV, stdio: "pipe", maxBuffer: 64 << 20 });
  const write = (v: Version) => writeFileSync(join(dir, "main.tf.json"), JSON.stringify(terraformJson(v)));
  write(v1);
  tf("init", "-input=false", "-no-color");
  tf("apply", "-auto-approve", "-input=false", "-no-color");
  const stateJson = JSON.parse(tf("show", "-json").toString());
  write(v2);
  tf("plan", "-input=false", "-no-color", "-out=plan.out");
  const raw = asPlanJson(JSON.parse(tf("show", "-json", "plan.out").toString()), "stand-in plan");
  if (typeof raw === "string") throw new Error(raw);
  const standIns = { ...v1.resources, ...v2.resources };
  return {
    dir,
    rawPlan: raw,
    plan: { ...raw, resource_changes: (raw.resource_changes ?? []).map((rc) => retype(rc, standIns[rc.name] ?? (rc.module_address ? moduleStandIns[rc.module_address] : undefined))) },
    synth: synthResources(synthJsonOf(v2)),
    baseSynth: synthResources(synthJsonOf(v1)),
    synthJson: synthJsonOf(v2),
    stateJson,
  };
}

function terraformJson(v: Version): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(v.resources)) {
    data[name] = { input: s.input, ...(s.replaceOn === undefined ? {} : { triggers_replace: [s.replaceOn] }) };
  }
  return { ...v.extra, resource: { terraform_data: data } };
}

function synthJsonOf(v: Version): unknown {
  const resource: Record<string, Record<string, unknown>> = {};
  for (const [name, s] of Object.entries(v.resources)) (resource[s.as] ??= {})[name] = { "//": { metadata: { path: `prod/${s.path}` } }, ...s.input };
  return { resource };
}

/** The stand-in plays its provider type: type and address change, `input` becomes the attributes. */
export function retype(rc: PlanResourceChange, s: StandIn | undefined): PlanResourceChange {
  if (!s) return rc;
  const input = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>).input : v);
  const address = (a: string | undefined) => a?.replace(/(^|\.)terraform_data\./, `$1${s.as}.`);
  const c = rc.change;
  return {
    ...rc,
    type: s.as,
    address: address(rc.address)!,
    ...(rc.previous_address ? { previous_address: address(rc.previous_address) } : {}),
    change: {
      ...c,
      before: input(c.before) ?? null,
      after: input(c.after) ?? null,
      after_unknown: input(c.after_unknown) ?? {},
      before_sensitive: input(c.before_sensitive) ?? {},
      after_sensitive: input(c.after_sensitive) ?? {},
      ...(c.replace_paths && s.replacePathAs
        ? { replace_paths: c.replace_paths.map((p) => (p[0] === "triggers_replace" ? [s.replacePathAs!] : p)) }
        : {}),
    },
  };
}
