import type { Construct, IConstruct } from "constructs";
import { DefaultTokenResolver, LocalBackend, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Tokenization } from "cdktf";
import { TIER_RULES } from "../config/defaults";
import { ConfigError } from "../config/problems";
import type { ValidatedEnvironment } from "../config/types";
import { isPlainObject } from "../platform/values";
import { GitlabHttpBackend } from "./gitlab-http-backend";
import { KubernetesEnvironment } from "./kubernetes-environment";
import { resolvePlain } from "./plain-resolve";
import { StableJsonSynthesizer } from "./stable-json";
import { vsphereProviderFromVariables } from "./vsphere-provider";

export interface EnvironmentStackProps {
  /** What `validateEnvironment` returned. */
  readonly config: ValidatedEnvironment;
  /**
   * Where state lives: a local file, or GitLab's HTTP state backend (addresses and credentials from TF_HTTP_*).
   * @default the tier's `stateBackend` (lib/config/defaults.ts): "local" for sandbox, "gitlab" for dev and prod
   */
  readonly state?: "local" | "gitlab";
  /**
   * Directory a relative template manifest path is resolved against.
   * @default process.cwd()
   */
  readonly baseDir?: string;
}

/**
 * One environment, one stack, one state; the stack id is the environment name. The environment sits
 * under the hidden id `Default`, so its Terraform addresses are those of resources placed directly in
 * the stack (what environments deployed before lib/environment existed hold in their state).
 */
export class EnvironmentStack extends TerraformStack {
  readonly config: ValidatedEnvironment;
  readonly environment: KubernetesEnvironment;
  /** Whether the stack itself has overrides (`addOverride` on the stack): toTerraform then leaves it to cdktf. */
  private overridden = false;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    const { config } = props;
    if (scope.node.tryFindChild(config.name)) {
      // Before super(): constructs would otherwise fail with its own message and a stack trace.
      throw new ConfigError(`Environment "${config.name}"`, [
        `${config.name}.name: "${config.name}" already names a stack in this app; every environment needs its own name (its own stack and state)`,
      ]);
    }
    super(scope, config.name);
    this.config = config;
    if ((props.state ?? TIER_RULES[config.tier].stateBackend) === "local") {
      // Terraform runs in cdktf.out/stacks/<env>: keep the state file at the project root, outside
      // the synth output that gets deleted and regenerated.
      new LocalBackend(this, { path: `../../../terraform.${config.name}.tfstate` });
    } else {
      new GitlabHttpBackend(this);
    }
    vsphereProviderFromVariables(this);
    if (!hclOutput()) this.synthesizer = new StableJsonSynthesizer(this, this.synthesizer);
    this.environment = new KubernetesEnvironment(this, "Default", { config, baseDir: props.baseDir });
  }

  /**
   * Before synth, cdktf resolves every element of the stack once more (TerraformStack.prepareStack) only to find
   * values of another stack and wire remote state for them: a third of synth time. The environment's own
   * elements are built from its validated config, which holds no Terraform reference (validation refuses "${"
   * in any string, interpolation.ts), so they reference nothing outside this stack and skip that pass. What a
   * consumer adds to the stack beside the environment still gets it; a value of another stack written into
   * one of the environment's resources with addOverride does not (cdktf would have wired it).
   */
  override prepareStack(): void {
    this.ensureBackendExists();
    for (const element of terraformElements(this, this.environment)) {
      Tokenization.resolve(element.toTerraform(), { scope: this, preparing: true, resolver: PREPARING_RESOLVER });
    }
  }

  override addOverride(path: string, value: unknown): void {
    this.overridden = true;
    super.addOverride(path, value);
  }

  /**
   * The stack's Terraform JSON as TerraformStack.toTerraform builds it (metadata, the outputs map, every element's
   * fragment merged in element order), with `resolvePlain` in place of cdktf's resolve, whose context for every
   * value cost a fifth of a cold synth. cdktf then resolves the merged document once more, for the stack's own
   * overrides; what is merged here is resolved already (resolving it again changes nothing), and a stack with
   * overrides of its own is left to cdktf.
   */
  override toTerraform(): any {
    if (this.overridden) return super.toTerraform();
    const elements = terraformElements(this);
    const metadata = { version: this.node.tryGetContext("cdktfVersion"), stackName: this.node.id, backend: "local", cloud: undefined };
    for (const element of elements) mergeFragment(metadata, resolvePlain(this, element.toMetadata()));
    const outputs: Record<string, any> = {};
    for (const output of elements.filter(TerraformOutput.isTerraformOutput)) {
      const path = output.node.path.split("/");
      const parent = path.slice(0, -1).reduce((at, part) => (at[part] ??= {}), outputs);
      parent[path[path.length - 1]] = output.friendlyUniqueId;
    }
    const tf = { "//": resolvePlain(this, { metadata, outputs }) };
    for (const element of elements) mergeFragment(tf, resolvePlain(this, element.toTerraform()));
    return tf;
  }
}

const PREPARING_RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * Merges a fragment as cdktf's deepMerge does (maps key by key, arrays concatenated, undefined deletes, anything
 * else replaces; an object of a class becomes a map of its own keys, so a Date becomes {}), except that a plain
 * map the target lacks is taken as it is instead of copied: what resolvePlain returns is new and no one else's.
 */
function mergeFragment(target: Record<string, any>, fragment: unknown): void {
  for (const [key, value] of Object.entries(fragment as Record<string, unknown>)) {
    const current = target[key];
    if (isPlainObject(value)) {
      if (current !== null && typeof current === "object") mergeFragment(current, value);
      else if (Object.getPrototypeOf(value) === Object.prototype) target[key] = value;
      else mergeFragment((target[key] = {}), value);
    } else if (Array.isArray(value) && Array.isArray(current)) target[key] = [...current, ...value];
    else if (value === undefined) delete target[key];
    else target[key] = value;
  }
}

/** cdktf's own switch, read as cdktf reads it, for HCL instead of JSON: that output is left to cdktf. */
function hclOutput(): boolean {
  return process.env.SYNTH_HCL_OUTPUT === "true" || process.env.SYNTH_HCL_OUTPUT === "1";
}

/** The Terraform elements below `scope` in cdktf's order (parents first), not those of `except` or of a nested stack. */
function terraformElements(scope: IConstruct, except?: IConstruct): TerraformElement[] {
  return scope.node.children.flatMap((child) => {
    if (child === except || TerraformStack.isStack(child)) return [];
    return [...(TerraformElement.isTerraformElement(child) ? [child] : []), ...terraformElements(child, except)];
  });
}
