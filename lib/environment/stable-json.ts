import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IStackSynthesizer, ISynthesisSession, TerraformStack } from "cdktf";

/**
 * The text cdktf writes for cdk.tf.json, `json-stable-stringify(value, { space: 2 })` (1.3.0, cdktf 0.21's
 * writer): keys sorted at every level, two-space indentation, `toJSON` honoured, an undefined (or function)
 * value dropped from an object and written as null in an array, and an empty array or object written over two
 * lines ("[\n<indent>]"), which is where it differs from JSON.stringify. json-stable-stringify builds every line
 * through an array join and checks each object against the list of its ancestors; this writer appends to one
 * string: a tenth of a cold synth before, a fraction of that now.
 */
export function stableJson(value: unknown): string | undefined {
  return write(value, "\n", []);
}

const SPACE = "  ";

function write(value: unknown, indent: string, ancestors: object[]): string | undefined {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = indent + SPACE;
  let out = "";
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + inner + (write(value[i], inner, ancestors) ?? "null");
    return `[${out}${indent}]`;
  }
  if (ancestors.includes(value)) throw new TypeError("Converting circular structure to JSON");
  ancestors.push(value);
  for (const key of Object.keys(value).sort()) {
    const text = write((value as Record<string, unknown>)[key], inner, ancestors);
    if (text !== undefined) out += (out ? "," : "") + inner + JSON.stringify(key) + ": " + text;
  }
  ancestors.pop();
  return `{${out}${indent}}`;
}

/**
 * cdktf's synthesizer for a stack (aspects, validations, annotations, the manifest), with cdk.tf.json written
 * by `stableJson`. cdktf's writes the file last, from `stack.toTerraform()`: during its run the stack returns an
 * empty document for it to write, and the real one is written over it afterwards. HCL output is left to cdktf.
 */
export class StableJsonSynthesizer implements IStackSynthesizer {
  constructor(
    private readonly stack: TerraformStack,
    private readonly cdktf: IStackSynthesizer,
  ) {}

  synthesize(session: ISynthesisSession): void {
    const stack = this.stack;
    let terraform: unknown;
    // An own property over the class's method, for the length of cdktf's run.
    stack.toTerraform = () => {
      terraform = Object.getPrototypeOf(stack).toTerraform.call(stack);
      return {};
    };
    try {
      this.cdktf.synthesize(session);
    } finally {
      Reflect.deleteProperty(stack, "toTerraform");
    }
    // cdktf stopped before toTerraform (error annotations throw first): nothing to write.
    if (terraform === undefined) return;
    writeFileSync(join(session.outdir, session.manifest.forStack(this.stack).synthesizedStackPath), stableJson(terraform)!);
  }
}
