import { UserError } from "./user-error";

/** Flags a CLI accepts: "value" flags take the next argument (and may repeat), "switch" flags take none. */
export type FlagSpec = Readonly<Record<string, "value" | "switch">>;

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<string>;
  readonly positional: readonly string[];
}

/** Tiny parser (`--flag value`, `--flag=value`, `--switch`); unknown flags are a user error, not ignored. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const kind = spec[flag];
    if (kind === undefined) throw new UserError(`unknown option ${flag} (try --help)`);
    if (kind === "switch") {
      if (eq >= 0) throw new UserError(`${flag} takes no value`);
      switches.add(flag);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new UserError(`${flag} needs a value`);
    values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  return { values, switches, positional };
}

/** The single value of a flag given at most once. */
export function single(args: ParsedArgs, flag: string): string | undefined {
  const v = args.values.get(flag) ?? [];
  if (v.length > 1) throw new UserError(`${flag} given ${v.length} times; give it once`);
  return v[0];
}

/** `prod=plans/prod.json` -> ["prod", "plans/prod.json"]. */
export function stackAssignment(flag: string, value: string): [stack: string, file: string] {
  const eq = value.indexOf("=");
  if (eq <= 0 || eq === value.length - 1) throw new UserError(`${flag} expects <stack>=<file>, got "${value}"`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}
