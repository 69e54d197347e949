import type { IConstruct } from "constructs";
import { DefaultTokenResolver, StringConcat, Token, Tokenization } from "cdktf";

/**
 * cdktf's resolve (`Tokenization.resolve`) for what TerraformStack.toTerraform resolves, with the same result,
 * at a fraction of the cost on plain data. cdktf builds a resolution context (closures, the path joined into a
 * string) for every value, key and `undefined` it visits: for our ~40,000 values that was a fifth of a cold synth.
 * Here plain objects and arrays are walked without a context, dropping `undefined` as cdktf does; any value cdktf
 * could change goes to cdktf itself, whole, so it is resolved exactly as before:
 *   - a string that may hold a token, an escape ("${") or an encoded number or map (and a key that may);
 *   - numbers (a token can be encoded as a number), and arrays holding a number or a list token (cdktf resolves
 *     those as a whole);
 *   - anything that is not a plain object or array: tokens, Lazy values, Dates, constructs (cdktf's error).
 * Values deeper than MAX_DEPTH go to cdktf too, which stops cyclic data with its own error.
 */
export function resolvePlain(scope: IConstruct, value: unknown): unknown {
  return walk(scope, value, 0);
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());
const MAX_DEPTH = 64;
/**
 * What cdktf's resolve of a string acts on: a token ("${TfToken[", "#{TfToken[", "&{TfToken["), an escape
 * ("${" of Terraform's own), or text its number-token pattern matches (an encoded number prints as "-1.88e+289").
 */
const MAY_RESOLVE = /\$\{|\{TfToken\[|[-|\d.+]e[-|\d.eE+]/;

function mayResolve(s: string): boolean {
  return MAY_RESOLVE.test(s) || s === Token.STRING_MAP_TOKEN_VALUE || s === Token.ANY_MAP_TOKEN_VALUE;
}

function walk(scope: IConstruct, value: unknown, depth: number): unknown {
  if (value === undefined || value === null || typeof value === "boolean") return value;
  if (typeof value === "string" && !mayResolve(value)) return value;
  if (depth < MAX_DEPTH && typeof value === "object") {
    if (Array.isArray(value)) {
      if (!value.some((x) => typeof x === "number" || (typeof x === "string" && x.includes("#{TfToken[")))) {
        const out: unknown[] = [];
        for (const x of value) {
          const resolved = walk(scope, x, depth + 1);
          if (resolved !== undefined) out.push(resolved);
        }
        return out;
      }
    } else if (isPlainData(value)) {
      const out: Record<string, unknown> = {};
      let plain = true;
      for (const key of Object.keys(value)) {
        // A key cdktf would resolve (a map token among them): the whole object is cdktf's.
        if (mayResolve(key)) {
          plain = false;
          break;
        }
        const resolved = walk(scope, value[key], depth + 1);
        if (resolved !== undefined) out[key] = resolved;
      }
      if (plain) return out;
    }
  }
  return Tokenization.resolve(value, { scope, preparing: false, resolver: RESOLVER });
}

/** An object literal (or Object.create(null)) that is no token. */
function isPlainData(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { resolve?: unknown }).resolve !== "function";
}
