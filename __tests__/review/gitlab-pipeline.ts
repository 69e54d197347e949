/** GitLab's reading of a pipeline file (includes, extends, !reference), shared by the template's tests. */
import { readFileSync } from "fs";
import { join } from "path";
import { parse, type Tags } from "yaml";

export const ROOT = join(__dirname, "..", "..");
export const TEMPLATE = ".gitlab/ci/cdktf-vsphere.gitlab-ci.yml";

export type Obj = Record<string, unknown>;
/** Keys at the top level of .gitlab-ci.yml that are not jobs. */
export const GLOBAL_KEYS = new Set(["variables", "stages", "workflow", "default", "include", "image", "services", "cache", "before_script", "after_script"]);

/** GitLab's `!reference [job, key]` tag, kept as a marker and resolved after parsing. */
export const referenceTag: Tags[number] = {
  tag: "!reference",
  collection: "seq",
  resolve: (seq) => ({ $reference: (seq as unknown as { toJSON(): unknown }).toJSON() }),
};

export function readYaml(rel: string): Obj {
  return parse(readFileSync(join(ROOT, rel), "utf8"), { customTags: [referenceTag] }) as Obj;
}

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** GitLab's merge for `extends` and includes: hashes merge deeply, everything else is replaced. */
export function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

/** Loads a pipeline file the way GitLab does: local includes first, the file's own keys on top. */
export function loadPipeline(rel: string): Obj {
  const doc = readYaml(rel);
  let merged: Obj = {};
  for (const inc of (doc.include as Array<{ local?: string }> | undefined) ?? []) {
    if (!inc.local) throw new Error(`only local includes are checked here: ${JSON.stringify(inc)}`);
    merged = deepMerge(merged, loadPipeline(inc.local));
  }
  const { include: _include, ...own } = doc;
  return deepMerge(merged, own);
}

export function resolveJob(doc: Obj, name: string, seen: string[] = []): Obj {
  if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(" -> ")}`);
  const job = doc[name];
  if (!isObj(job)) throw new Error(`extends refers to unknown job ${name}`);
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? (job.extends as string[]) : [job.extends as string];
  let out: Obj = {};
  for (const p of parents) out = deepMerge(out, resolveJob(doc, p, [...seen, name]));
  const { extends: _extends, ...own } = job;
  return deepMerge(out, own);
}

export function resolveReferences(doc: Obj, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveReferences(doc, v));
  if (!isObj(value)) return value;
  if ("$reference" in value) {
    const [job, ...keys] = value.$reference as string[];
    let v: unknown = resolveJob(doc, job);
    for (const k of keys) v = (v as Obj)[k];
    return resolveReferences(doc, v);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(doc, v)]));
}

/** Visible jobs with extends and !reference resolved. */
export function jobsOf(doc: Obj): Map<string, Obj> {
  const jobs = new Map<string, Obj>();
  for (const name of Object.keys(doc)) {
    if (GLOBAL_KEYS.has(name) || name.startsWith(".")) continue;
    jobs.set(name, resolveReferences(doc, resolveJob(doc, name)) as Obj);
  }
  return jobs;
}

/** GitLab flattens nested lists (from `!reference`) in scripts. */
export const scripts = (job: Obj): string[] => ["before_script", "script", "after_script"].flatMap((k) => ((job[k] as unknown[] | undefined) ?? []).flat(10) as string[]);
export const rulesOf = (job: Obj): Obj[] => (job.rules as Obj[] | undefined) ?? [];
