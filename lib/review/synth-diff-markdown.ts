import type { AttributeChange, ResourceDiff, StackSynthDiff } from "./synth-diff";

/**
 * The synth diff as an MR note. It says what the Terraform configuration will ask for, not what
 * the infrastructure will do: without providers and state, Terraform decides replace vs update later.
 */
export function synthDiffMarkdown(diffs: readonly StackSynthDiff[], baseLabel: string): string {
  const out = [`## Synthesized Terraform: changes against ${baseLabel}`, ""];
  out.push("| Stack | Added | Removed | Changed |", "| --- | ---: | ---: | ---: |");
  for (const d of diffs) out.push(`| ${d.stack}${d.status === "added" || d.status === "removed" ? ` (${d.status})` : ""} | ${d.added.length} | ${d.removed.length} | ${d.changed.length} |`);
  out.push("");
  for (const d of diffs) {
    out.push(`### ${d.stack}`, "");
    if (d.status === "unchanged") {
      out.push("No changes.", "");
      continue;
    }
    if (d.removed.length > 0) {
      out.push(
        `#### ⚠️ Removed (${d.removed.length}): Terraform will destroy these unless a \`moved\` block or a renamed construct id explains them`,
        "",
        ...d.removed.map((r) => `- \`-\` ${resource(r)}`),
        "",
      );
    }
    if (d.changed.length > 0) {
      out.push(`#### Changed (${d.changed.length})`, "", ...d.changed.map((r) => `- \`~\` ${resource(r)}: ${r.attributes.map(attribute).join(", ")}`), "");
    }
    if (d.added.length > 0) out.push(`#### Added (${d.added.length})`, "", ...d.added.map((r) => `- \`+\` ${resource(r)}`), "");
    if (d.otherBlocks.length > 0) out.push(`Other blocks changed: ${d.otherBlocks.map((b) => `\`${b}\``).join(", ")}`, "");
  }
  return out.join("\n").trimEnd() + "\n";
}

function resource(r: ResourceDiff): string {
  return `\`${r.path}\` (\`${r.address}\`)`;
}

function attribute(a: AttributeChange): string {
  return a.from !== undefined && a.to !== undefined ? `\`${a.name}\` ${a.from} → ${a.to}` : `\`${a.name}\``;
}
