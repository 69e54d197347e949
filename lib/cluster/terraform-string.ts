import { Fn, type IResolvable, type IResolveContext, Token, Tokenization } from "cdktf";

/**
 * Turns text rendered with visible placeholders into a Terraform string whose placeholders are
 * replaced by Terraform values (tokens). The literal parts are embedded as base64 and decoded by
 * Terraform (`join("", [base64decode("..."), <value>, ...])`): whatever the text holds (`${`, `%{`,
 * quotes, backslashes, newlines in shell scripts), Terraform never parses it as a template, and cdktf's
 * function-argument checks (which reject unescaped quotes) never see it. The result is a single
 * token, safe to pass to `base64gzip` (below), any `Fn` or any attribute.
 */
export function terraformString(text: string, values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values);
  if (names.length === 0) return Fn.base64decode(base64(text));
  const pattern = new RegExp(names.map(escapeRegExp).join("|"), "g");
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ base64: base64(text.slice(last, at)) });
    parts.push({ value: values[match[0]] });
    last = at + match[0].length;
  }
  if (last < text.length) parts.push({ base64: base64(text.slice(last)) });
  if (parts.every((p) => "base64" in p || isOneToken(p.value))) return Token.asString(new JoinOfParts(parts));
  return Fn.join("", parts.map((p) => ("base64" in p ? Fn.base64decode(p.base64) : p.value)));
}

/**
 * `Fn.base64gzip(value)`, the same text; for a value of terraformString's, one token that writes the call too.
 * cdktf reads a resolved string again at every level of a function call, and splits it wherever its number
 * pattern matches, which base64 does every couple of kilobytes: the call of its own read a control-plane
 * node's 100 KB of user-data twice more, a few milliseconds per node in a cold synth.
 */
export function base64gzip(value: string): string {
  const fragments = Tokenization.reverseString(value);
  const token = fragments.length === 1 ? fragments.firstToken : undefined;
  if (token instanceof JoinOfParts && token.call === undefined) return Token.asString(new JoinOfParts(token.parts, "base64gzip"));
  return Fn.base64gzip(value);
}

type Part = { readonly base64: string } | { readonly value: string };

/**
 * `Fn.join("", [Fn.base64decode(...), <value>, ...])` as one token, resolved to the same text. cdktf resolves
 * a function's arguments three times over and scans every resolved string with several patterns at each
 * level, so a control-plane node's user-data (80 KB of base64 around a dozen references) cost it ~7 ms, a
 * tenth of what the library adds to a cold synth. Here the literals are written once, as cdktf writes them
 * (base64 has nothing to quote or escape), and each value, a single token, is left to cdktf with the context
 * cdktf gives a function's arguments. A test resolves both forms and compares them.
 */
class JoinOfParts implements IResolvable {
  readonly creationStack: string[] = [];

  constructor(
    readonly parts: readonly Part[],
    /** A function wrapped around the join (`base64gzip`). */
    readonly call?: string,
  ) {}

  resolve(context: IResolveContext): string {
    // What cdktf's FunctionCall does with the context (it leaves suppressBraces set, as here).
    const braces = !context.suppressBraces;
    const { ignoreEscapes, warnEscapes } = context;
    context.suppressBraces = true;
    context.ignoreEscapes = true;
    context.warnEscapes = true;
    const items = this.parts.map((p) => ("base64" in p ? `base64decode("${p.base64}")` : context.resolve(p.value)));
    context.ignoreEscapes = ignoreEscapes;
    context.warnEscapes = warnEscapes;
    const join = `join("", [${items.join(", ")}])`;
    const expression = this.call === undefined ? join : `${this.call}(${join})`;
    return braces ? `\${${expression}}` : expression;
  }

  toString(): string {
    return Token.asString(this);
  }
}

/** A string that is exactly one token, which cdktf renders as an argument by itself (no quotes, no concatenation). */
function isOneToken(value: string): boolean {
  const fragments = Tokenization.reverseString(value);
  return fragments.length === 1 && fragments.tokens.length + fragments.intrinsic.length === 1;
}

function base64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
