/**
 * Reads the resources of one synthesized stack (`cdktf.out/stacks/<stack>/cdk.tf.json`).
 * cdktf puts `"//": {"metadata": {"path": "<stack>/<construct>/<path>"}}` on every resource and data
 * source; that construct path is what people recognise, the Terraform address is what plans use.
 */

export interface SynthResource {
  /** Terraform address without index: `type.name` or `data.type.name`. */
  readonly address: string;
  readonly type: string;
  /** Construct path below the stack, e.g. `cluster/control-plane/node-1`. */
  readonly path: string;
  /** The resource's configuration as synthesized, without cdktf's `//` metadata. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Blocks of cdk.tf.json that hold resources, with the address prefix Terraform gives them. */
const RESOURCE_BLOCKS: ReadonlyArray<readonly [block: string, prefix: string]> = [
  ["resource", ""],
  ["data", "data."],
];

/** Every resource and data source of a synthesized stack, keyed by Terraform address. */
export function synthResources(cdkTfJson: unknown): Map<string, SynthResource> {
  const resources = new Map<string, SynthResource>();
  const root = asObject(cdkTfJson);
  for (const [block, prefix] of RESOURCE_BLOCKS) {
    for (const [type, byName] of Object.entries(asObject(root[block]))) {
      for (const [name, body] of Object.entries(asObject(byName))) {
        const { "//": meta, ...config } = asObject(body);
        const address = `${prefix}${type}.${name}`;
        const metaPath = asObject(asObject(meta).metadata).path;
        resources.set(address, {
          address,
          type,
          path: typeof metaPath === "string" ? pathBelowStack(metaPath) : pathFromLogicalId(name),
          config,
        });
      }
    }
  }
  return resources;
}

/**
 * `prod/cluster/control-plane/node-1` -> `cluster/control-plane/node-1`: the stack is said once per
 * section. `Default` segments go too: cdktf leaves them out of addresses (EnvironmentStack's
 * environment is `prod/Default/...`), so people never see them elsewhere.
 */
export function pathBelowStack(metadataPath: string): string {
  const [, ...below] = metadataPath.split("/");
  return below.length === 0 ? metadataPath : below.filter((s) => s !== "Default").join("/");
}

/**
 * Best guess at the construct path from a cdktf logical id, for resources that are no longer in the
 * synth (deleted ones). cdktf names a nested resource `<id>_<id>_..._<8 hex hash>` (see
 * cdktf/lib/private/unique.js); a direct child of the stack keeps its id. Ids containing `_` make the
 * guess imperfect, which is why the real metadata path always wins when it is known.
 */
export function pathFromLogicalId(name: string): string {
  const nested = /^(.+)_[0-9A-F]{8}$/.exec(name);
  return nested ? nested[1].split("_").join("/") : name;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
