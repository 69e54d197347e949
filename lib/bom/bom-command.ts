/**
 * k8s-bom's body, callable in-process (the tests do; bom-cli.ts wires it to the process): the bill of
 * materials of one or all environments of a CDKTF app (images, charts, providers, node image inputs), as a
 * table, JSON or sync scripts, and `--verify` against the mirror. The logic lives in
 * bill-of-materials.ts, formats.ts and verify.ts.
 */
import { resolve } from "node:path";
import type { IConstruct } from "constructs";
import { ConfigError } from "../config/problems";
import { parseArgs, single } from "../review/cli-args";
import { UserError, USAGE_EXIT_CODE } from "../review/user-error";
import { readFileSync } from "node:fs";
import { appEnvironments, billOfMaterials, BillOfMaterialsError } from "./bill-of-materials";
import { BOM_FORMATS, type BomFormat, formatBoms } from "./formats";
import { missingImages, VERIFY_CREDENTIAL_VARIABLES } from "./verify";

const USAGE = `usage: k8s-bom --app <module> (--env <name> [--env ...] | --all) [--format ${BOM_FORMATS.join("|")}] [--verify]

  --app <module>      module exporting buildApp() (or a default export) that returns the cdktf App of the environments
                      (a .ts module needs tsx: npx tsx node_modules/.bin/k8s-bom ...; npm run bom passes stacks/app.ts)
  --env <name>        an environment (repeatable); --all for every one
  --format <format>   table (default), json, skopeo | helm | terraform (sync scripts for a connected machine)
  --verify            HEAD every image on the environment's mirror; exit 1 listing what it lacks
                      (credentials from ${VERIFY_CREDENTIAL_VARIABLES.username} / ${VERIFY_CREDENTIAL_VARIABLES.password}, CA from registryMirror.caPem)

exit codes: 0 ok, 1 the mirror lacks images (--verify), 2 usage or input error`;

async function loadApp(module: string): Promise<IConstruct> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(resolve(module))) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`cannot load --app ${module}: ${(error as Error).message.split("\n")[0]}`);
  }
  const factory = loaded.buildApp ?? loaded.default;
  const app = typeof factory === "function" ? (factory as () => unknown)() : factory;
  if (!app || typeof app !== "object" || !("node" in app)) throw new UserError(`--app ${module} exports neither buildApp() nor a default App`);
  return app as IConstruct;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  const args = parseArgs(argv, { "--app": "value", "--env": "value", "--all": "switch", "--format": "value", "--verify": "switch", "--help": "switch" });
  if (args.switches.has("--help")) {
    out(`${USAGE}\n`);
    return 0;
  }
  if (args.positional.length > 0) throw new UserError(`unexpected argument "${args.positional[0]}"\n${USAGE}`);
  const appModule = single(args, "--app");
  if (!appModule) throw new UserError(`give --app <module>\n${USAGE}`);
  const names = args.values.get("--env");
  if (!names === !args.switches.has("--all")) throw new UserError(`give --env <name> or --all (one of them)\n${USAGE}`);
  const format = (single(args, "--format") ?? "table") as BomFormat;
  if (!BOM_FORMATS.includes(format)) throw new UserError(`--format ${format}: not one of ${BOM_FORMATS.join(", ")}`);

  const environments = appEnvironments(await loadApp(appModule), names);
  const boms = environments.map((e) => billOfMaterials(e.config, e));
  if (!args.switches.has("--verify")) {
    out(formatBoms(boms, format));
    return 0;
  }
  let lacking = 0;
  // BOM_REGISTRY_CA_FILE: a CA bundle the config does not hold (e.g. the site CA of the machine running --verify).
  const caFile = env.BOM_REGISTRY_CA_FILE;
  for (const [i, bom] of boms.entries()) {
    if (!bom.registryHost) throw new UserError(`${bom.environment} has no registryMirror: there is no mirror to verify`);
    const caPem = caFile ? readFileSync(caFile, "utf8") : environments[i].config.registryMirror?.caPem;
    const missing = await missingImages(bom, { username: env[VERIFY_CREDENTIAL_VARIABLES.username], password: env[VERIFY_CREDENTIAL_VARIABLES.password], caPem });
    lacking += missing.length;
    out(missing.length === 0 ? `${bom.environment}: the mirror holds all ${bom.images.length} images\n` : `${bom.environment}: the mirror lacks ${missing.length} of ${bom.images.length} images:\n${missing.map((m) => `  ${m}\n`).join("")}`);
  }
  return lacking > 0 ? 1 : 0;
}

export interface BomIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs k8s-bom with these arguments and environment; resolves to its exit code (never rejects). */
export async function runBom(argv: readonly string[], env: NodeJS.ProcessEnv, io: BomIo): Promise<number> {
  try {
    return await main(argv, env, io.stdout);
  } catch (error: unknown) {
    if (error instanceof UserError || error instanceof ConfigError || error instanceof BillOfMaterialsError) {
      io.stderr(`error: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    io.stderr(`${(error as Error).stack ?? String(error)}\n`);
    return error instanceof Error && /answered|wants credentials|ECONNREFUSED|certificate/.test(error.message) ? USAGE_EXIT_CODE : 70;
  }
}
