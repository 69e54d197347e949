import { runInNewContext } from "node:vm";
import { Lazy } from "cdktf";
import { skipTokenStackTraces, withoutTokenStackTraces } from "../../lib/environment/token-stack-traces";

/** A token's creation stack: what cdktf records for every token it makes. */
const creationStackOf = () => (Lazy.anyValue({ produce: () => 1 }) as unknown as { creationStack: string[] }).creationStack;

describe("token stack traces", () => {
  // The unit suite's setup installs the skip for every test file (__tests__/setup): this file puts V8's own
  // function (from a fresh realm: the same built-in) back for each test, to see both sides.
  let restoreSetup: () => void;
  beforeEach(() => {
    const skipping = Error.captureStackTrace;
    Error.captureStackTrace = runInNewContext("Error.captureStackTrace");
    restoreSetup = () => (Error.captureStackTrace = skipping);
  });
  afterEach(() => restoreSetup());

  it("cdktf records a stack trace for each token unless skipped", () => {
    expect(creationStackOf().length).toBeGreaterThan(0);
    expect(withoutTokenStackTraces(creationStackOf)).toEqual([]);
  });

  it("errors keep their stack traces, thrown or captured into, and so does a plain object other code captures into", () => {
    withoutTokenStackTraces(() => {
      expect(new Error("thrown").stack).toMatch(/\n\s+at .*token-stack-traces\.test/);
      const captured = new Error("captured");
      Error.captureStackTrace(captured);
      expect(captured.stack).toMatch(/^Error: captured\n\s+at /);
      // depd (in koa, s3rver) finds its caller this way and reads the frames.
      const plain: { stack?: string } = {};
      Error.captureStackTrace(plain);
      expect(plain.stack).toMatch(/\n\s+at .*token-stack-traces\.test/);
    });
  });

  it("puts Error.captureStackTrace back afterwards, also when the work throws", () => {
    const before = Error.captureStackTrace;
    expect(() => withoutTokenStackTraces(() => { throw new Error("boom"); })).toThrow("boom");
    expect(Error.captureStackTrace).toBe(before);
    const restore = skipTokenStackTraces();
    expect(Error.captureStackTrace).not.toBe(before);
    restore();
    expect(Error.captureStackTrace).toBe(before);
    expect(creationStackOf().length).toBeGreaterThan(0);
  });
});
