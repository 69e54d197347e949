import { ConfigError, synthWarnings } from "../lib";

// Entry point for `cdktf synth/diff/deploy` and `npm run synth`. A user's mistake prints one clear
// message (every problem, with its path) and no stack trace; nothing is written.
// cdktf captures a stack trace for every token it creates; with tsx's source maps on, formatting
// them is a third of synth time. Bugs still get stack traces, with transpiled line numbers.
process.setSourceMapsEnabled(false);
try {
  // Loaded here, not imported: the app reads the revision files (stacks/revisions) as it loads, and a
  // mistake there is a ConfigError to print like any other.
  const { synthesize } = require("./app") as typeof import("./app");
  const app = synthesize();
  // The cdktf CLI prints these from the manifest; `npm run synth` has no CLI around it.
  if (!process.env.CDKTF_CONTEXT_JSON) for (const warning of synthWarnings(app)) console.warn(`Warning: ${warning}`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
