import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * `npm test` runs the unit test files in SHARES jest suites (`<n>.suite.ts` here), not one suite per file. jest
 * gives every suite its own module registry, so each of the 60-odd files loaded cdktf, the providers and the
 * library afresh and re-synthesized the fixtures other files had synthesized too: half the suite's CPU. A
 * share loads them once for its files (memoized helpers such as platform/synth.ts then serve them all). Every
 * file still runs alone with `npx jest <path>`. Shares are dealt round-robin over the sorted paths, so every
 * unit test file is in exactly one share, new ones included, and the shares stay about the same size.
 */
/** One per core of the 2-core build machine (jest's maxWorkers): 4 shares took 28 s, 2 take 24 s. */
export const SHARES = 2;

const ROOT = join(__dirname, "..");
/** Suites of their own: they start real programs (npm run test:behaviour, test:package). */
const NOT_UNIT = ["behaviour", "package"];

/** Every unit test file under __tests__, sorted by path. */
export function unitTestFiles(dir = ROOT): string[] {
  const files = readdirSync(dir, { withFileTypes: true }).flatMap((entry): string[] => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dir === ROOT && NOT_UNIT.includes(entry.name) ? [] : unitTestFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
  return dir === ROOT ? files.sort((a, b) => relative(ROOT, a).localeCompare(relative(ROOT, b))) : files;
}

/** Registers the tests of share `n` (1..SHARES) in the calling suite. */
export function runShare(n: number): void {
  const suites = readdirSync(__dirname).filter((name) => name.endsWith(".suite.ts")).sort();
  const expected = Array.from({ length: SHARES }, (_, i) => `${i + 1}.suite.ts`);
  if (suites.join() !== expected.join()) throw new Error(`__tests__/suites holds ${suites.join(", ")}; SHARES = ${SHARES} expects ${expected.join(", ")}`);
  unitTestFiles().forEach((file, i) => {
    if (i % SHARES === n - 1) require(file);
  });
}
