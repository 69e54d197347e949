import { isPlainObject } from "../platform/values";
import { joinImage, splitImage, unmirror } from "./image-ref";

/** An image named in Helm values: where, and what (upstream name; tag when the values hold one). */
export interface ValuesImage {
  readonly path: string;
  readonly name?: string;
  readonly tag?: string;
}

/**
 * Every image the values name, as rendered: objects with a `repository` (or an image-named object with a
 * `registry`), and `image` strings (with a `tag`/`version` beside them). Mirror prefixes are stripped, so the
 * result is in upstream terms. Patterns (`*`) are not images (admission policies match on them).
 */
export function imagesInValues(values: unknown, mirrorBase: string | undefined): ValuesImage[] {
  const found: ValuesImage[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => visit(child, [...path, String(i)]));
    if (!isPlainObject(node)) return;
    const str = (v: unknown) => (typeof v === "string" && v !== "" && !v.includes("*") ? v : undefined);
    const tag = str(node.tag) ?? str(node.version);
    const repository = str(node.repository) ?? (typeof node.image === "string" ? str(node.image) : undefined);
    const registry = str(node.registry);
    // A registry or tag alone counts under an image path (`crds.upgradeJob.image.busybox.tag` overrides a chart default).
    if (repository || ((registry || tag) && path.some((segment) => /image/i.test(segment)))) {
      const name = repository ? unmirror(registry ? `${registry.replace(/\/+$/, "")}/${repository}` : repository, mirrorBase) : undefined;
      const split = name ? splitImage(name) : undefined;
      found.push({ path: path.join("."), name: split?.name, tag: tag ?? split?.tag });
    }
    for (const [k, child] of Object.entries(node)) if (k !== "image" || typeof child !== "string") visit(child, [...path, k]);
  };
  visit(values, []);
  return found;
}

/** A full upstream reference, when the values name one completely (registry host, repository and tag). */
export function completeReference(image: ValuesImage): string | undefined {
  if (!image.name || !image.tag || !image.name.split("/")[0].includes(".")) return undefined;
  return joinImage(image.name, image.tag);
}
