import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
export const PACKAGE_NAME = "vsphere-kubeadm-platform";

export interface Snippet {
  /** From the snippet's first line, `// <file>.ts: what it is`. */
  readonly file: string;
  readonly code: string;
  /** 1-based line of the opening fence in README.md, for messages. */
  readonly line: number;
}

/** Every ```ts block of README.md. Each is a whole file whose first line names it. */
export function readmeSnippets(readme = readFileSync(join(ROOT, "README.md"), "utf8")): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = readme.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    // Fences may be indented (a snippet inside a list item): the code is indented as much.
    const indent = lines[i].length - lines[i].trimStart().length;
    const end = lines.findIndex((line, j) => j > i && line.trim() === "```");
    const code = lines.slice(i + 1, end).map((line) => line.slice(indent)).join("\n");
    const file = /^\/\/ ([\w-]+\.ts)\b/.exec(code)?.[1];
    if (!file) throw new Error(`README.md:${i + 1}: a \`\`\`ts snippet must start with "// <file>.ts: ..." (it is type-checked as that file)`);
    snippets.push({ file, code: `${code}\n`, line: i + 1 });
    i = end;
  }
  return snippets;
}

/** Module specifiers a snippet imports. */
export function importsOf(code: string): string[] {
  return [...code.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
}
