/** How long to wait for something in the cluster, and how often to look. */
export interface Patience {
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a result (not undefined); after the timeout, throws the error
 * `fail` builds from the last thing `check` reported through `note` (what it was still waiting for).
 */
export async function waitFor<T>(
  patience: Patience,
  check: (note: (why: string) => void) => Promise<T | undefined>,
  fail: (lastNote: string, seconds: number) => string,
): Promise<T> {
  const deadline = Date.now() + patience.timeoutMs;
  let last = "not checked yet";
  const note = (why: string) => (last = why);
  for (;;) {
    const result = await check(note);
    if (result !== undefined) return result;
    if (Date.now() >= deadline) throw new RollError(fail(last, Math.round(patience.timeoutMs / 1000)));
    await sleep(patience.pollMs);
  }
}

/** The cluster or the plan says "not like this": the roll stops, prints one message, and can be resumed. */
export class RollError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RollError";
  }
}
