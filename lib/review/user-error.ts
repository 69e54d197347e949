/**
 * A mistake of the person running a CLI (missing file, bad JSON, wrong flag), not a bug:
 * entry points print `message` alone, without a stack trace, and exit with USAGE_EXIT_CODE.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** Exit code for user mistakes; 1 is kept for "the tool ran and the answer is no" (a refusal). */
export const USAGE_EXIT_CODE = 2;
