import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, readNodeRevisionFile, validateEnvironment, withNodeRevisions, writeNodeRevision } from "../../lib";
import { prodCopy } from "../helpers/environments";
import { synthEnvironments, resourcesByPath } from "../helpers/synth";

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("node revisions from a file (withNodeRevisions)", () => {
  it("merges a file's revisions into the pools, and the VM's replace_trigger follows", () => {
    const env = withNodeRevisions(prodCopy(), { "prod-general-2": 3, "prod-control-plane-1": 1 }, "stacks/revisions/prod.json");
    expect(env.workers.find((p: any) => p.name === "general").nodeRevisions).toEqual({ "prod-general-2": 3 });
    expect(env.controlPlane.nodeRevisions).toEqual({ "prod-control-plane-1": 1 });
    expect(validateEnvironment(env).workers[1].nodeRevisions).toEqual({ "prod-general-2": 3 });
    const vms = resourcesByPath(synthEnvironments([env]).stacks.prod, "vsphere_virtual_machine");
    expect(vms["cluster/workers-general/node-2"].replace_trigger).toBe("revision-3");
    expect(vms["cluster/workers-general/node-1"].replace_trigger).toBe("revision-0");
    expect(vms["cluster/control-plane/node-1"].replace_trigger).toBe("revision-1");
  });

  it("refuses an unknown node, a bad number and a node the typed config sets too, each on one line with the fix", () => {
    const config = prodCopy();
    config.workers[1].nodeRevisions = { "prod-general-1": 1 };
    const message = errorOf(() => withNodeRevisions(config, { "prod-general-9": 1, "prod-storage-1": -1, "prod-general-1": 2 }, "stacks/revisions/prod.json"));
    expect(message).toContain('Invalid node revisions for "prod": 3 problems');
    expect(message).toMatch(/prod node revisions \(stacks\/revisions\/prod\.json\)\.prod-general-9: is not a node of prod; its nodes are prod-control-plane-1, .*prod-general-4: remove the entry or fix the name/);
    expect(message).toContain("prod-storage-1: -1 must be a whole number >= 0");
    expect(message).toContain('prod-general-1: is also set in the config (prod pool "general" nodeRevisions: 1); keep one');
    expect(errorOf(() => withNodeRevisions(prodCopy(), [1], "f.json"))).toContain("must be an object of node name to revision number");
  });

  it("reads a missing file as no revisions, writes one node sorted and keeps the others, and names a broken file", () => {
    const dir = mkdtempSync(join(tmpdir(), "revisions-"));
    const file = join(dir, "revisions", "prod.json");
    expect(readNodeRevisionFile(file)).toEqual({});
    writeNodeRevision(file, "prod-general-10", 1);
    writeNodeRevision(file, "prod-general-2", 4);
    writeNodeRevision(file, "prod-general-10", 2);
    expect(readFileSync(file, "utf8")).toBe('{\n  "prod-general-2": 4,\n  "prod-general-10": 2\n}\n');
    writeFileSync(file, "{ nope");
    expect(errorOf(() => readNodeRevisionFile(file))).toContain(`${file}: `);
  });

  it("the shipped stacks read stacks/revisions/<env>.json (empty: every node at revision 0)", () => {
    for (const env of ["sandbox", "dev", "prod"]) expect(JSON.parse(readFileSync(`stacks/revisions/${env}.json`, "utf8"))).toEqual({});
  });
});
