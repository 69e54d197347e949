import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config/problems";

/**
 * A revision file (`stacks/revisions/<env>.json`, `{ "<node>": <revision> }`): read by the stacks
 * (through withNodeRevisions), bumped by `npm run roll`. A missing file is "no revisions", so an
 * environment needs one only once a node of it was rolled.
 */
export function readNodeRevisionFile(file: string): unknown {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`Invalid node revisions file ${file}`, [`${file}: ${(e as Error).message}; it must be JSON like { "prod-general-1": 1 }`]);
  }
}

/** Sets one node's revision, keeping the others; keys sorted so the MR diff is one line. */
export function writeNodeRevision(file: string, node: string, revision: number): void {
  const current = readNodeRevisionFile(file) as Record<string, number>;
  const next = Object.fromEntries(Object.entries({ ...current, [node]: revision }).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(next, null, 2) + "\n");
}
