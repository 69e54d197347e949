import type { PlannedChange, ChangeAction } from "./planned-change";
import type { StackPlanReport } from "./plan-report";
import { isDestructive, refusalMessage } from "./blast-radius";
import type { ValueChange } from "./helm-values-diff";
import { rebootReasons } from "./resource-facts";
import { VM_TYPES } from "./blast-radius-rules";

/** A stack with more changes than this starts collapsed: a 1,000-resource plan must stay readable. */
const OPEN_UP_TO_CHANGES = 30;

/** Terraform's own plan symbols, so the note reads like `terraform plan`. */
const SYMBOL: Record<ChangeAction, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  forget: "⊘",
  read: "<=",
  "no-op": " ",
};

/** Destructive first, then the rest; the order a reviewer should read them in. */
const ACTION_ORDER: readonly ChangeAction[] = ["delete", "replace", "forget", "update", "create"];

export interface MarkdownOptions {
  /** The plan was refused and not overridden, or refused and overridden. */
  readonly overridden: boolean;
}

/** The MR note: a summary of every stack, then per stack destructive changes first, grouped by construct. */
export function planMarkdown(stacks: readonly StackPlanReport[], options: MarkdownOptions): string {
  const out: string[] = ["## Terraform plan", ""];
  const violations = stacks.flatMap((s) => s.violations);
  if (violations.length > 0) {
    out.push(
      options.overridden
        ? "> 🔥 **Dangerous blast radius, accepted by override.** Check the 🔥 lines before deploying."
        : "> 🔥 **Plan refused: dangerous blast radius.** See below; the pipeline fails until it is split or overridden.",
      "",
      "```",
      refusalMessage(violations),
      "```",
      "",
    );
  }
  out.push("| Stack | Create | Update | Delete | Replace |", "| --- | ---: | ---: | ---: | ---: |");
  for (const s of stacks) {
    const replaces = s.changes.filter((c) => c.action === "replace").length;
    out.push(`| ${s.stack} | ${s.report.create} | ${s.report.update} | ${s.report.delete} | ${replaces} |`);
  }
  out.push("", "_Counts as in the merge request widget: a replacement counts as one create and one delete._", "");
  for (const s of stacks) out.push(...stackSection(s));
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

function stackSection(s: StackPlanReport): string[] {
  const out = [`### ${s.stack}`, ""];
  for (const w of s.warnings) out.push(`> ⚠️ **Check the input:** ${w}`, "");
  for (const n of s.security) out.push(`> 🔐 **Second reviewer:** ${code(n.change.path)} **${n.change.action}** (${n.review.id}): ${n.review.why}.`, "");
  for (const r of s.routine) out.push(`> ℹ️ Routine, passed: ${code(r.change.path)} **${r.change.action}** (${r.operation.id}): ${r.operation.why}.`, "");
  if (s.changes.length === 0) return [...out, "No changes.", ""];
  const flagged = new Map<string, string[]>();
  for (const v of s.violations) for (const h of v.hits) flagged.set(h.change.address, [...(flagged.get(h.change.address) ?? []), `${v.rule.id}: ${h.how}`]);
  // Forgotten resources leave Terraform's hands: they belong with what goes, not with what is added.
  const goes = (c: PlannedChange) => isDestructive(c) || c.action === "forget";
  const destructive = sortForReading(s.changes.filter(goes));
  const other = sortForReading(s.changes.filter((c) => !goes(c)));
  const forgets = destructive.some((c) => c.action === "forget") ? ", and forgets" : "";
  const open = s.changes.length <= OPEN_UP_TO_CHANGES ? " open" : "";
  out.push(`<details${open}><summary>${s.changes.length} changes: ${destructive.length} replacements, deletions or forgets, ${other.length} creates or updates</summary>`, "");
  if (destructive.length > 0) {
    out.push(`#### ⚠️ Replacements and deletions${forgets} (${destructive.length})`, "", ...grouped(destructive, flagged), "");
  }
  if (other.length > 0) out.push(`#### Creates and updates (${other.length})`, "", ...grouped(other, flagged), "");
  out.push("</details>", "");
  if (s.valuesDiffs.length > 0) {
    out.push(`<details${open}><summary>Helm values: ${s.valuesDiffs.length} release(s) change their values</summary>`, "");
    for (const d of s.valuesDiffs) out.push(`**${code(d.change.path)}** (${code(d.change.address)})`, "", ...d.values.flatMap(valueLines), "");
    out.push("</details>", "");
  }
  return out;
}

/** `- \`key\`: \`15d\` → \`30d\``; line diffs as a diff block; sensitive values only named. */
function valueLines(v: ValueChange): string[] {
  switch (v.kind) {
    case "scalar":
      return [`- ${code(v.key)}: ${code(v.from)} → ${code(v.to)}`];
    case "sensitive":
      return [`- ${code(v.key)}: (sensitive) changed`];
    case "unknown":
      return [`- ${code(v.key)}: (known after apply)`];
    case "lines": {
      const fence = "`".repeat(Math.max(3, ...v.lines.map((l) => (l.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length + 1), 0))));
      return [`- ${code(v.key)}:`, "", `${fence}diff`, ...v.lines, fence, ""];
    }
  }
}

function sortForReading(changes: readonly PlannedChange[]): PlannedChange[] {
  return [...changes].sort(
    (a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || a.path.localeCompare(b.path) || a.address.localeCompare(b.address),
  );
}

/** Groups lines under their parent construct (`cluster/control-plane`), keeping the action order. */
function grouped(changes: readonly PlannedChange[], flagged: ReadonlyMap<string, readonly string[]>): string[] {
  const groups = new Map<string, PlannedChange[]>();
  for (const c of changes) {
    const parent = c.path.includes("/") ? c.path.slice(0, c.path.lastIndexOf("/")) : "(stack)";
    groups.set(parent, [...(groups.get(parent) ?? []), c]);
  }
  const out: string[] = [];
  for (const [parent, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`- **${parent}**`);
    for (const c of members) out.push(`  - ${line(c, flagged.get(c.address))}`);
  }
  return out;
}

/** `🔥 -/+ cluster/control-plane/node-1: replace (forced by clone) — vsphere_virtual_machine.x` */
function line(c: PlannedChange, flagged: readonly string[] | undefined): string {
  const mark = flagged ? "🔥 " : isDestructive(c) ? "⚠️ " : "";
  const order = c.action === "replace" ? (c.createBeforeDestroy ? " (create before destroy)" : "") : "";
  const details: string[] = [];
  if (c.action === "replace" && c.replaceReasons.length > 0) details.push(`forced by ${c.replaceReasons.map(code).join(", ")}`);
  if (c.action === "update" && c.changed.length > 0) details.push(`changes ${c.changed.map(attributeName).join(", ")}`);
  // A reboot is an outage of that node even when no rule counts it (a worker, a lone control-plane VM).
  if (VM_TYPES.has(c.type) && rebootReasons(c).length > 0) details.push(rebootReasons(c).join(", "));
  if (c.previousAddress) details.push(`moved from ${code(c.previousAddress)}`);
  if (flagged) details.push(`refused by ${flagged.join("; ")}`);
  if (!c.pathFromMetadata) details.push("path guessed from the Terraform name");
  const tail = details.length > 0 ? `; ${details.join("; ")}` : "";
  return `${mark}\`${SYMBOL[c.action]}\` ${code(c.path)}: **${c.action}**${order}${tail} — ${code(c.address)}`;
}

/** Only the name is ever shown; sensitive and unknown values are said, not printed. */
function attributeName(a: { name: string; sensitive: boolean; unknown: boolean }): string {
  return code(a.name) + (a.sensitive ? " (sensitive)" : a.unknown ? " (known after apply)" : "");
}

function code(s: string): string {
  return "`" + s.replace(/`/g, "'") + "`";
}
