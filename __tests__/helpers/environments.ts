import { prod } from "../../stacks/prod";
import { sandbox } from "../../stacks/sandbox";

/** A mutable deep copy of a shipped environment, for tests that break or reshape it. */
export function copyOf<T>(env: T): any {
  return JSON.parse(JSON.stringify(env));
}

export const prodCopy = () => copyOf(prod);
export const sandboxCopy = () => copyOf(sandbox);
