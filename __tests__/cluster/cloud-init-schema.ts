import Ajv, { type ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REFERENCE_DIR } from "../reference/sources";

export const SCHEMA_PATH = join(REFERENCE_DIR, "schemas", "schema-cloud-config-v1.json");

interface Schema {
  $schema?: string;
  $defs: Record<string, { properties?: Record<string, unknown> }>;
  allOf: { $ref: string }[];
}

/**
 * cloud-init's schema declares draft-04 but uses `$defs` and nothing draft-04-specific (no boolean
 * exclusiveMinimum/Maximum, no `id`): ajv 8's default draft compiles it once `$schema` is dropped
 * (no extra package needed). `strict: false` tolerates cloud-init's own annotations (deprecated, ...).
 */
export function loadCloudConfigValidator(): { validate: ValidateFunction; topLevelKeys: Set<string>; raw: string } {
  const raw = readFileSync(SCHEMA_PATH, "utf8");
  const schema = JSON.parse(raw) as Schema;
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  // Top-level keys = properties of the definitions the root's allOf references (not of every $def).
  const topLevelKeys = new Set<string>();
  for (const { $ref } of schema.allOf) {
    const def = schema.$defs[$ref.replace("#/$defs/", "")];
    for (const key of Object.keys(def?.properties ?? {})) topLevelKeys.add(key);
  }
  return { validate: ajv.compile(schema), topLevelKeys, raw };
}
