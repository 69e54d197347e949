/**
 * cdktf records where every token was created: a complete stack trace (its tokens/private/stack-trace.js
 * `captureStackTrace` calls `Error.captureStackTrace({ stack: "" }, captureStackTrace)`, with no depth limit),
 * kept only to point an error at the line that made a bad token. With a few dozen tokens per VM that was 14% of
 * synth time and most of its memory; under jest, where source-map-support maps every frame, it was 45% of the
 * unit suite. cdktf 0.21 has no switch for it (`App({ stackTraces: false })` covers construct metadata only).
 * So `Error.captureStackTrace` (a writable V8 function) skips exactly those calls, a plain object captured
 * below a function named `captureStackTrace`: cdktf then records no trace. Every other call is V8's: errors,
 * and plain objects other code captures into (depd reads its caller from one).
 */
export function skipTokenStackTraces(): () => void {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureAllButTokens(target: object, below?: Function): void {
    if (target instanceof Error || below?.name !== "captureStackTrace") capture(target, below);
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
