/**
 * cdktf records where every token was created: a complete stack trace (`captureStackTrace` in cdktf's
 * tokens/private/stack-trace.js calls `Error.captureStackTrace` on a plain object, with no depth limit), kept
 * only to point an error at the line that made a bad token. With a few dozen tokens per VM that was 14% of
 * synth time and most of its memory; under jest, where source-map-support maps every frame, it was 45% of the
 * unit suite. cdktf 0.21 has no switch for it (`App({ stackTraces: false })` covers construct metadata only).
 * So `Error.captureStackTrace` (a writable V8 function) skips plain objects: cdktf then records no trace, and
 * every Error, thrown or captured into, keeps its own.
 */
export function skipTokenStackTraces(): () => void {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureErrorsOnly(target: object, below?: Function): void {
    if (target instanceof Error) capture(target, below);
  };
  return () => {
    Error.captureStackTrace = capture;
  };
}

/** Runs `work` with `skipTokenStackTraces`, then puts `Error.captureStackTrace` back. */
export function withoutTokenStackTraces<T>(work: () => T): T {
  const restore = skipTokenStackTraces();
  try {
    return work();
  } finally {
    restore();
  }
}
