import { readFileSync } from "fs";
import { UserError } from "./user-error";

/**
 * Reads and parses a JSON file, turning the two usual mistakes (no such file, not JSON) into one
 * UserError that names the file and what it was expected to be, e.g. "terraform show -json output".
 */
export function readJsonFile(path: string, whatItShouldBe: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(code ?? e);
    throw new UserError(`cannot read ${path} (${why}); expected ${whatItShouldBe}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UserError(`${path} is not valid JSON (${(e as Error).message}); expected ${whatItShouldBe}`);
  }
}
