/**
 * cdktf records where every token was created: a complete stack trace, captured and formatted at once
 * (`captureStackTrace` in cdktf's tokens/private/stack-trace.js, with no depth limit), kept only to point
 * an error at the line that made a bad token. With a few dozen tokens per VM that was 14% of synth time
 * and most of its memory. cdktf 0.21 has no switch for it (`App({ stackTraces: false })` covers construct
 * metadata only), so this uses V8's documented `Error.prepareStackTrace` hook, for the duration of `work`:
 * the plain objects cdktf captures into get an empty trace (cdktf then records none); real errors keep
 * theirs, formatted as V8 does.
 */
export function withoutTokenStackTraces<T>(work: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target, frames) => {
    if (!(target instanceof Error)) return "";
    return previous ? previous(target, frames) : `${String(target)}${frames.map((f) => `\n    at ${f}`).join("")}`;
  };
  try {
    return work();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
