import { UserError, USAGE_EXIT_CODE } from "./user-error";

/**
 * Runs a CLI body and turns its outcome into an exit code: user mistakes print one line to stderr
 * (no stack trace); anything else is a bug and keeps its stack trace for the bug report.
 */
export function runCli(main: () => number): void {
  try {
    process.exitCode = main();
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = USAGE_EXIT_CODE;
      return;
    }
    throw e;
  }
}
