import { ConfigError } from "../../lib/config/problems";
import { validateEnvironment } from "../../lib/config/validate";

/** The problems validateEnvironment reports for an input; fails the test when it accepts it. */
export function problemsOf(input: unknown): readonly string[] {
  try {
    validateEnvironment(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}
