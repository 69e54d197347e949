import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { App, Fn, type IStackSynthesizer, LocalBackend, TerraformLocal, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { StringResource } from "@cdktf/provider-random/lib/string-resource";
import { VirtualMachine } from "@cdktf/provider-vsphere/lib/virtual-machine";
import { ConfigError } from "../../lib/config/problems";
import type { EnvironmentConfig } from "../../lib/config/types";
import { validateEnvironment } from "../../lib/config/validate";
import { environmentApp, synthWarnings } from "../../lib/environment/environment-app";
import { EnvironmentStack } from "../../lib/environment/environment-stack";
import { stableJson, StableJsonSynthesizer } from "../../lib/environment/stable-json";
import { KubernetesEnvironment } from "../../lib/environment/kubernetes-environment";
import { vsphereProviderFromVariables } from "../../lib/environment/vsphere-provider";
import { renderedCloudConfigs } from "../../lib/cluster/rendered-files";
import { synthResources } from "../../lib/review/synth-resources";
import { dev } from "../../stacks/dev";
import { sandbox } from "../../stacks/sandbox";
import { copyOf, sandboxCopy } from "../helpers/environments";
import { synthEnvironments } from "../helpers/synth";
import { synthesize } from "../../stacks/app";
import deployed from "./deployed-addresses.json";

const root = resolve(__dirname, "../..");
const outdir = () => join(mkdtempSync(join(tmpdir(), "environment-test-")), "out");

describe("Terraform addresses of deployed environments", () => {
  const { stacks } = synthEnvironments();

  it.each(["sandbox", "dev", "prod"] as const)("%s keeps every address it had before lib/environment (or moves it)", (env) => {
    const current = new Set(synthResources(stacks[env]).keys());
    const moved = new Set<string>((stacks[env].moved ?? []).map((m: { from: string }) => m.from));
    const lost = deployed[env].filter((address) => !current.has(address) && !moved.has(address));
    expect(lost).toEqual([]);
    expect(deployed[env].length).toBeGreaterThan(20);
  });
});

describe("KubernetesEnvironment in a consumer's own stack", () => {
  const dir = outdir();
  const app = new App({ outdir: dir, stackTraces: false });
  const stack = new TerraformStack(app, "lab");
  new LocalBackend(stack, { path: "lab.tfstate" });
  vsphereProviderFromVariables(stack);
  const config = validateEnvironment({ ...sandboxCopy(), name: "lab" });
  const environment = new KubernetesEnvironment(stack, "k8s", { config, baseDir: root });
  app.synth();
  const synth = JSON.parse(readFileSync(join(dir, "stacks", "lab", "cdk.tf.json"), "utf8"));

  it("synthesizes the whole environment: VMs, PKI, providers from the cluster connection, every release", () => {
    expect(Object.keys(synth.resource.vsphere_virtual_machine)).toHaveLength(2);
    expect(Object.keys(synth.resource.helm_release).length).toBe(environment.node.findAll().filter((c) => c.node.id === "release").length);
    expect(synth.provider.kubernetes[0].host).toBe("https://10.20.10.10:6443");
    expect(synth.provider.helm[0].kubernetes.host).toBe("https://10.20.10.10:6443");
  });

  it("writes the reviewable cloud-configs at synth, as the pure renderer produces them", () => {
    const expected = renderedCloudConfigs(config);
    const files = readdirSync(join(dir, "rendered", "lab")).sort();
    expect(files).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(readFileSync(join(dir, "rendered", "lab", name), "utf8")).toBe(text);
  });

  it("takes only validated config (a type error otherwise)", () => {
    const raw: EnvironmentConfig = sandbox;
    // @ts-expect-error: raw data has no validation brand; validateEnvironment(raw) is the way in.
    const props: ConstructorParameters<typeof KubernetesEnvironment>[2] = { config: raw };
    expect(props.config).toBe(raw);
  });
});

describe("environmentApp", () => {
  it("reports every invalid environment and duplicate name in ONE ConfigError and writes nothing", () => {
    const dir = outdir();
    const bad = sandboxCopy();
    bad.name = "broken";
    bad.workers[0].ips = ["10.20.10.300"];
    const run = () => environmentApp([sandboxCopy(), sandboxCopy(), bad, { name: "x" }], { outdir: dir, baseDir: root }).synth();
    expect(run).toThrow(ConfigError);
    const message = (() => { try { run(); } catch (e) { return (e as Error).message; } return ""; })();
    expect(message).toContain('sandbox.name: "sandbox" names two environments');
    expect(message).toContain('broken.workers[0].ips[0]: "10.20.10.300" is not an IPv4 address');
    expect(message).toContain("x.tier: is required");
    expect(message).not.toMatch(/\n\s+at /); // no stack trace in the message
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses a second stack of the same environment in one app with one ConfigError, not a constructs stack trace", () => {
    const app = new App({ outdir: outdir(), stackTraces: false });
    const config = validateEnvironment(sandboxCopy());
    new EnvironmentStack(app, { config, baseDir: root });
    expect(() => new EnvironmentStack(app, { config, baseDir: root })).toThrow(
      new ConfigError('Environment "sandbox"', ['sandbox.name: "sandbox" already names a stack in this app; every environment needs its own name (its own stack and state)']),
    );
  });

  it("warns on each environment that shares a node address with another on the same port group", () => {
    const clash = copyOf(dev);
    clash.name = "dev2";
    const app = environmentApp([dev, clash], { outdir: outdir(), baseDir: root });
    const warnings = synthWarnings(app);
    expect(warnings).toEqual([
      expect.stringMatching(/^\[dev\] dev shares 7 address\(es\) with dev2 on port group dc1\/k8s-nodes \(10\.20\.20\.11, .*10\.20\.20\.10\)/),
      expect.stringMatching(/^\[dev2\] dev2 shares 7 address\(es\) with dev on port group dc1\/k8s-nodes/),
    ]);
    expect(synthWarnings(environmentApp([dev], { outdir: outdir(), baseDir: root }))).toEqual([]);
  });

  it("warns when a non-sandbox environment has no registry mirror (it would pull from the internet)", () => {
    const online = copyOf(dev);
    delete online.registryMirror;
    const warnings = synthWarnings(environmentApp([online], { outdir: outdir(), baseDir: root }));
    expect(warnings).toEqual([expect.stringContaining("dev.registryMirror is not set")]);
  });
});

describe("EnvironmentStack's shortcuts through cdktf's synth (prepareStack, toTerraform, the cdk.tf.json writer)", () => {
  const app = new App({ outdir: outdir(), stackTraces: false });
  const common = new TerraformStack(app, "common");
  new LocalBackend(common, { path: "common.tfstate" });
  new RandomProvider(common, "random");
  const suffix = new StringResource(common, "suffix", { length: 4 });
  const other = new EnvironmentStack(app, { config: validateEnvironment(sandboxCopy()), baseDir: root });
  const otherVm = other.node.findAll().find((c): c is VirtualMachine => c instanceof VirtualMachine)!;
  const lab = new EnvironmentStack(app, { config: validateEnvironment({ ...sandboxCopy(), name: "lab" }), baseDir: root });
  new TerraformOutput(lab, "from-common", { value: suffix.result });
  new TerraformOutput(lab, "from-sandbox", { value: otherVm.id });
  const labVms = lab.node.findAll().filter((c): c is VirtualMachine => c instanceof VirtualMachine);
  // What else a consumer may add: a local, an output in a scope of its own, an override of an environment element.
  const note = new TerraformLocal(lab, "note", `lab-${labVms[0].name}`);
  new TerraformOutput(new Construct(lab, "reports"), "note", { value: note.asString });
  labVms[0].addOverride("annotation", note.asString);
  // Not sensible Terraform, but cdktf's merge of the fragments turns a Date into {}: toTerraform must too.
  new TerraformLocal(lab, "since", new Date(0));
  const rendered = labVms.map((vm) => jest.spyOn(vm, "toTerraform"));
  app.synth();
  const synth = JSON.parse(readFileSync(join(app.outdir, "stacks", "lab", "cdk.tf.json"), "utf8"));

  it("what a consumer adds beside the environment still reads other stacks through remote state, another environment's too", () => {
    expect(Object.keys(synth.data.terraform_remote_state).sort()).toEqual(["cross-stack-reference-input-common", "cross-stack-reference-input-sandbox"]);
    expect(synth.output["from-common"].value).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-common\.outputs\./);
    // Not lab's own VM of the same address: the reason cdktf's pass must see the consumer's elements.
    expect(synth.output["from-sandbox"].value).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-sandbox\.outputs\./);
  });

  it("the environment's own elements skip cdktf's preparing pass: each is turned into Terraform once, at synth", () => {
    expect(labVms.length).toBeGreaterThan(0);
    for (const spy of rendered) expect(spy).toHaveBeenCalledTimes(1);
  });

  it("toTerraform gives cdktf's document, with what the consumer added (outputs in scopes, locals, element overrides)", () => {
    const notes = Object.keys(synth.output).filter((id) => synth.output[id].value === "${local.note}");
    expect(notes).toHaveLength(1);
    expect(synth["//"].outputs.lab.reports.note).toBe(notes[0]);
    expect(synth.resource.vsphere_virtual_machine[Object.keys(synth.resource.vsphere_virtual_machine)[0]].annotation).toBe("${local.note}");
    expect(stableJson(lab.toTerraform())).toBe(stableJson(TerraformStack.prototype.toTerraform.call(lab)));
  });

  it("a stack with overrides of its own is left to cdktf's toTerraform, which resolves them", () => {
    const stack = new EnvironmentStack(new App({ outdir: outdir(), stackTraces: false }), { config: validateEnvironment(sandboxCopy()), baseDir: root });
    stack.addOverride("terraform.required_version", Fn.lower(">= 1.5"));
    const cdktfPass = jest.spyOn(TerraformStack.prototype, "toTerraform");
    try {
      const tf = stack.toTerraform();
      expect(cdktfPass).toHaveBeenCalledTimes(1);
      expect(tf.terraform.required_version).toBe('${lower(">= 1.5")}');
      expect(tf["//"].metadata.overrides).toEqual({ stack: ["terraform"] });
    } finally {
      cdktfPass.mockRestore();
    }
  });

  it("HCL output (cdktf's SYNTH_HCL_OUTPUT) is left to cdktf's own synthesizer", () => {
    const saved = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      const app = new App({ outdir: outdir(), stackTraces: false });
      const stack = new EnvironmentStack(app, { config: validateEnvironment(sandboxCopy()), baseDir: root });
      expect(stack.synthesizer).not.toBeInstanceOf(StableJsonSynthesizer);
      app.synth();
      expect(readFileSync(join(app.outdir, "stacks", "sandbox", "cdk.tf"), "utf8")).toMatch(/^resource "vsphere_virtual_machine" /m);
    } finally {
      if (saved === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = saved;
    }
    expect(new EnvironmentStack(new App({ outdir: outdir(), stackTraces: false }), { config: validateEnvironment(sandboxCopy()), baseDir: root }).synthesizer).toBeInstanceOf(StableJsonSynthesizer);
  });

  it("the shipped stacks synthesize byte for byte as with cdktf's own passes and writer", () => {
    const ours = synthEnvironments().outdir;
    const full = outdir();
    const spies = [
      jest.spyOn(EnvironmentStack.prototype, "prepareStack").mockImplementation(function (this: EnvironmentStack) {
        TerraformStack.prototype.prepareStack.call(this);
      }),
      jest.spyOn(EnvironmentStack.prototype, "toTerraform").mockImplementation(function (this: EnvironmentStack) {
        return TerraformStack.prototype.toTerraform.call(this);
      }),
      jest.spyOn(StableJsonSynthesizer.prototype, "synthesize").mockImplementation(function (this: StableJsonSynthesizer, session) {
        (this as unknown as { cdktf: IStackSynthesizer }).cdktf.synthesize(session);
      }),
    ];
    let calls: number[];
    try {
      synthesize({ outdir: full });
    } finally {
      calls = spies.map((spy) => spy.mock.calls.length);
      for (const spy of spies) spy.mockRestore();
    }
    expect(calls).toEqual([3, 3, 3]);
    for (const env of ["sandbox", "dev", "prod"]) {
      const file = join("stacks", env, "cdk.tf.json");
      expect([env, readFileSync(join(full, file), "utf8") === readFileSync(join(ours, file), "utf8")]).toEqual([env, true]);
    }
  });
});
