import { deepMerge } from "../../lib/platform/values";
import { toYaml } from "../../lib/config/yaml-text";

/** Every object reachable from `value`. */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (value !== null && typeof value === "object") {
    into.add(value);
    for (const item of Object.values(value)) objectsOf(item, into);
  }
  return into;
}

describe("deepMerge (Helm's layering of values)", () => {
  const defaults = { image: { repository: "a", tag: "1", pull: { policy: "IfNotPresent" } }, args: ["--x"], extra: { keep: true } };
  const environment = { image: { tag: "2", pull: { secrets: ["s"] } }, args: ["--y", "--z"], removed: null };
  const overrides = { image: { pull: { policy: "Always" } }, unset: undefined };

  it("merges maps key by key (first layer's key order, new keys after), replaces lists and scalars, keeps null, skips undefined", () => {
    const merged = deepMerge(defaults, undefined, environment, overrides);
    expect(merged).toStrictEqual({
      image: { repository: "a", tag: "2", pull: { policy: "Always", secrets: ["s"] } },
      args: ["--y", "--z"],
      extra: { keep: true },
      removed: null,
    });
    expect(Object.keys(merged)).toEqual(["image", "args", "extra", "removed"]);
    expect(Object.keys(merged.image as object)).toEqual(["repository", "tag", "pull"]);
    expect(Object.keys((merged.image as { pull: object }).pull)).toEqual(["policy", "secrets"]);
  });

  it("never changes its inputs, and shares no object with them (no YAML anchors from an object met twice)", () => {
    const before = JSON.stringify([defaults, environment, overrides]);
    const merged = deepMerge(defaults, environment, overrides);
    expect(JSON.stringify([defaults, environment, overrides])).toBe(before);
    const inputs = objectsOf([defaults, environment, overrides]);
    expect([...objectsOf(merged)].filter((o) => inputs.has(o))).toEqual([]);
    const twice = deepMerge({ a: defaults.extra }, { b: defaults.extra });
    expect(toYaml(twice)).toBe("a:\n  keep: true\nb:\n  keep: true\n");
  });

  it("a map over a list or a scalar replaces it, and a list or scalar over a map replaces that", () => {
    expect(deepMerge({ a: [1], b: "x", c: { d: 1 } }, { a: { k: 1 }, b: { k: 2 }, c: ["d"] })).toStrictEqual({ a: { k: 1 }, b: { k: 2 }, c: ["d"] });
  });
});
