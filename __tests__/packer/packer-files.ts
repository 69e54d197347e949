import * as fs from "node:fs";
import * as path from "node:path";

/** The node image's sources: packer/ at the repo root. */
export const PACKER_DIR = path.join(__dirname, "..", "..", "packer");

/** Every file under `dir` (packer_cache excluded), relative paths, sorted. */
export function listFiles(dir: string, base = ""): string[] {
  return fs
    .readdirSync(path.join(dir, base), { withFileTypes: true })
    .flatMap((entry) => {
      const rel = path.posix.join(base, entry.name);
      if (entry.isDirectory()) return entry.name === "packer_cache" ? [] : listFiles(dir, rel);
      return [rel];
    })
    .sort();
}
