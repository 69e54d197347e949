import { Problems, show } from "./problems";

/**
 * Typed field readers for validation. Each reads one field of untyped input, reports a wrong type
 * or a missing required field to `problems` (with the path and the fix), and returns the value only
 * when it has the right type, so later checks never see garbage.
 */
export type Input = Record<string, unknown>;

export function isObject(value: unknown): value is Input {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The field names of a config interface, checked by the compiler against the interface itself: the
 * argument must name every field of T (optional ones too) and nothing else, so a field added to a type
 * does not compile until validation knows it.
 */
export function fieldsOf<T>(fields: { readonly [K in keyof Required<T>]: true }): readonly (keyof T & string)[] {
  return Object.keys(fields) as (keyof T & string)[];
}

/** An object whose keys must all be known; an unknown key is almost always a typo. */
export function readObject(
  problems: Problems,
  value: unknown,
  path: string,
  known: readonly string[],
): Input | undefined {
  if (!isObject(value)) {
    problems.add(path, `${show(value)} must be an object`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      problems.add(`${path}.${key}`, `unknown field (typo?); known fields here: ${known.join(", ")}`);
    }
  }
  return value;
}

export function readString(problems: Problems, obj: Input, key: string, path: string, required = true): string | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (required) problems.add(`${path}.${key}`, "is required (a non-empty string)");
    return undefined;
  }
  if (typeof value !== "string" || value.trim() === "") {
    problems.add(`${path}.${key}`, `${show(value)} must be a non-empty string`);
    return undefined;
  }
  return value;
}

export function readInteger(
  problems: Problems,
  obj: Input,
  key: string,
  path: string,
  opts: { readonly min: number; readonly max?: number; readonly why?: string; readonly required?: boolean },
): number | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (opts.required !== false) problems.add(`${path}.${key}`, `is required (a whole number >= ${opts.min})`);
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    problems.add(`${path}.${key}`, `${show(value)} must be a whole number`);
    return undefined;
  }
  if (value < opts.min) {
    problems.add(`${path}.${key}`, `${value} is below the minimum of ${opts.min}${opts.why ? ` (${opts.why})` : ""}; raise it to at least ${opts.min}`);
    return undefined;
  }
  if (opts.max !== undefined && value > opts.max) {
    problems.add(`${path}.${key}`, `${value} is above the maximum of ${opts.max}; lower it to at most ${opts.max}`);
    return undefined;
  }
  return value;
}

export function readArray(problems: Problems, obj: Input, key: string, path: string, required = true): unknown[] | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (required) problems.add(`${path}.${key}`, "is required (a list)");
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.add(`${path}.${key}`, `${show(value)} must be a list`);
    return undefined;
  }
  return value;
}

/** A list of non-empty strings; bad entries are reported and dropped. */
export function readStringList(problems: Problems, obj: Input, key: string, path: string, required = true): string[] | undefined {
  const list = readArray(problems, obj, key, path, required);
  if (!list) return undefined;
  return list.filter((item, i): item is string => {
    const ok = typeof item === "string" && item.trim() !== "";
    if (!ok) problems.add(`${path}.${key}[${i}]`, `${show(item)} must be a non-empty string`);
    return ok;
  });
}

export function readEnum<T extends string>(
  problems: Problems,
  obj: Input,
  key: string,
  path: string,
  allowed: readonly T[],
  required = true,
): T | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (required) problems.add(`${path}.${key}`, `is required (one of ${allowed.join(", ")})`);
    return undefined;
  }
  if (!allowed.includes(value as T)) {
    problems.add(`${path}.${key}`, `${show(value)} is not one of ${allowed.join(", ")}`);
    return undefined;
  }
  return value as T;
}

/** RFC 1123 label: what Kubernetes, vSphere and hostnames all accept. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkDnsLabel(problems: Problems, value: string, path: string, maxLength = 63): boolean {
  if (value.length > maxLength || !DNS_LABEL.test(value)) {
    problems.add(
      path,
      `${show(value)} is not a DNS-1123 label; use at most ${maxLength} lower-case letters, digits and "-", starting and ending with a letter or digit`,
    );
    return false;
  }
  return true;
}
