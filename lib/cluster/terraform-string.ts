import { Fn } from "cdktf";

/**
 * Turns text rendered with visible placeholders into a Terraform string whose placeholders are
 * replaced by Terraform values (tokens). The literal parts are embedded as base64 and decoded by
 * Terraform (`join("", [base64decode("..."), <value>, ...])`): whatever the text holds (`${`, `%{`,
 * quotes, backslashes, newlines in shell scripts), Terraform never parses it as a template, and cdktf's
 * function-argument checks (which reject unescaped quotes) never see it. The result is a single
 * token, safe to pass to `Fn.base64gzip` or any attribute.
 */
export function terraformString(text: string, values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values);
  if (names.length === 0) return Fn.base64decode(Buffer.from(text, "utf8").toString("base64"));
  const pattern = new RegExp(names.map(escapeRegExp).join("|"), "g");
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(literal(text.slice(last, at)));
    parts.push(values[match[0]]);
    last = at + match[0].length;
  }
  if (last < text.length) parts.push(literal(text.slice(last)));
  return Fn.join("", parts);
}

function literal(s: string): string {
  return Fn.base64decode(Buffer.from(s, "utf8").toString("base64"));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
