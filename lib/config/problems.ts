/**
 * Collects every problem found in a user's input, so the user gets ONE error listing all of
 * them instead of fixing them one at a time. Each problem names its path, the value and the fix.
 */
export class Problems {
  private readonly lines: string[] = [];

  /** `path`: "prod.workers[0].ips[3]"; `message` says what is wrong and how to fix it. */
  add(path: string, message: string): void {
    this.lines.push(`${path}: ${message}`);
  }

  get count(): number {
    return this.lines.length;
  }

  /** Throws one ConfigError listing every problem, if there is any. */
  throwIfAny(subject: string): void {
    if (this.lines.length > 0) throw new ConfigError(subject, this.lines);
  }
}

/** A user's mistake, not a bug: entry points print `message` alone, without a stack trace. */
export class ConfigError extends Error {
  constructor(
    subject: string,
    readonly problems: readonly string[],
  ) {
    const n = problems.length;
    super(`${subject}: ${n} problem${n === 1 ? "" : "s"}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** JSON-ish rendering of a user value for an error message: strings quoted, objects compact. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value); // JSON would say "null"
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
