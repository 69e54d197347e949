import { spawn } from "node:child_process";
import { RollError } from "./wait";
import type { TerraformRunner } from "./roll";

/**
 * The real `terraform` in a stack directory. Its progress goes to stderr (the roll's own lines to
 * stdout); `show -json` output is read, never printed: a plan holds every secret of the stack.
 */
export class TerraformCli implements TerraformRunner {
  constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Where Terraform's progress goes: our stderr, or nowhere (tests). */
    private readonly progress: "stderr" | "ignore" = "stderr",
  ) {}

  private initialized = false;

  async plan(planFile: string): Promise<void> {
    // Once per roll: the providers and backend do not change between its nodes.
    if (!this.initialized) await this.run(["init", "-input=false", "-no-color"]);
    this.initialized = true;
    await this.run(["plan", "-input=false", "-no-color", `-out=${planFile}`]);
  }

  async showPlan(planFile: string): Promise<unknown> {
    return JSON.parse(await this.run(["show", "-json", planFile], true));
  }

  async apply(planFile: string): Promise<void> {
    await this.run(["apply", "-input=false", "-no-color", planFile]);
  }

  /** `terraform output -raw <name>` (sensitive outputs too: the kubeconfig), after init. */
  async output(name: string): Promise<string> {
    if (!this.initialized) await this.run(["init", "-input=false", "-no-color"]);
    this.initialized = true;
    return this.run(["output", "-raw", "-no-color", name], true);
  }

  protected run(args: string[], capture = false): Promise<string> {
    return runCommand("terraform", [`-chdir=${this.dir}`, ...args], { env: { TF_IN_AUTOMATION: "1", ...this.env }, capture, progress: this.progress });
  }
}

/** Runs a program; its stdout is returned (capture) or passed on to our stderr; a failure is a RollError. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; capture?: boolean; progress?: "stderr" | "ignore" } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const progress = options.progress === "ignore" ? "ignore" : process.stderr;
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", options.capture ? "pipe" : progress, progress] });
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => chunks.push(c));
    child.on("error", (e) => reject(new RollError(`cannot run ${command}: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString("utf8"));
      else reject(new RollError(`${command} ${args.filter((a) => !a.startsWith("-chdir")).slice(0, 2).join(" ")} failed (exit ${code}); its output is above (or rerun it in the stack directory)`));
    });
  });
}
