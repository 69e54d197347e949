#!/usr/bin/env node
/**
 * k8s-bom: the air-gap bill of materials (npm run bom). Thin on purpose: the command lives in
 * bom-command.ts, so tests call it in-process instead of starting a process per case.
 */
import { runBom } from "./bom-command";

void runBom(process.argv.slice(2), process.env, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
  (code) => (process.exitCode = code),
);
