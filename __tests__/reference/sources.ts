import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The one folder of upstream reference data tests may read (see SOURCES.md beside this file). */
export const REFERENCE_DIR = __dirname;

export interface ReferenceSource {
  readonly file: string;
  readonly version: string;
  readonly origin: string;
  readonly sha256: string;
  readonly bytes: number;
  /** The row as written in SOURCES.md. */
  readonly line: string;
}

/** Rows of SOURCES.md's "Files" table, keyed by path relative to REFERENCE_DIR. */
export function referenceSources(): Map<string, ReferenceSource> {
  const rows = new Map<string, ReferenceSource>();
  for (const line of readFileSync(join(REFERENCE_DIR, "SOURCES.md"), "utf8").split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length !== 7 || !/^[0-9a-f]{64}$/.test(cells[4])) continue;
    const [, file, version, origin, sha256, bytes] = cells;
    rows.set(file, { file, version, origin, sha256, bytes: Number(bytes), line });
  }
  return rows;
}
