import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { REFERENCE_DIR, referenceSources } from "./sources";

/** Every vendored file below REFERENCE_DIR except the notes and the tests themselves. */
function vendoredFiles(dir = REFERENCE_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return vendoredFiles(path);
    return /\.(md|ts)$/.test(name) ? [] : [relative(REFERENCE_DIR, path)];
  });
}

describe("vendored reference data", () => {
  const rows = referenceSources();

  it("has one SOURCES.md row per file, and a file per row", () => {
    expect([...rows.keys()].sort()).toEqual(vendoredFiles().sort());
  });

  it.each([...rows.values()].map((r) => [r.file, r]))("%s matches its recorded sha256 and size", (file, row) => {
    const data = readFileSync(join(REFERENCE_DIR, file));
    const actual = { sha256: createHash("sha256").update(data).digest("hex"), bytes: data.length };
    // On a refresh, the message is the row to paste into SOURCES.md.
    expect(`| ${file} | ${row.version} | ${row.origin} | ${actual.sha256} | ${actual.bytes} |`).toBe(row.line);
  });

  it("names an upstream origin at a tag for every file", () => {
    for (const row of rows.values()) expect([row.file, row.origin]).toEqual([row.file, expect.stringMatching(/^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[^/]+\//)]);
  });
});
