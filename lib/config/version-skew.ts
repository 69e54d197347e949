import type { Problems } from "./problems";

/**
 * Kubernetes' version-skew policy (kubernetes.io/releases/version-skew-policy) applied to what the
 * config says the nodes run during a rolling upgrade. Pure: versions come from the resolved templates.
 */

/** The template in effect for one pool (or the environment), as far as versions go. */
export interface TemplateVersion {
  /** Template name, for messages. */
  readonly name: string;
  /** x.y.z of the kubelet/kubeadm it carries. */
  readonly version: string;
  /** The pool names this template itself (`<pool>.template`) rather than inheriting the environment's. */
  readonly own: boolean;
}

export interface UpgradeVersions {
  /** Config path of the environment ("prod"). */
  readonly env: string;
  /** `template`: what every pool without its own runs, and during a control-plane roll what its nodes not yet rebuilt run. */
  readonly environment: TemplateVersion;
  readonly controlPlane: TemplateVersion;
  /** In `workers` order. */
  readonly workers: readonly TemplateVersion[];
}

/** Since 1.28 a kubelet (and kube-proxy) may be up to three minors older than the API server. */
export const MAX_KUBELET_MINORS_BEHIND = 3;

/**
 * One problem per violation:
 * - the control plane moves one minor at a time and never back (its template against the environment's,
 *   which the control-plane nodes not yet rebuilt still run);
 * - no kubelet is newer than the oldest API server: a worker pool follows once the control-plane roll is
 *   finished (the new template moved to `template`), and a pool scaled up mid-upgrade joins with the old one;
 * - no kubelet is more than MAX_KUBELET_MINORS_BEHIND minors older than the control plane.
 */
export function checkVersionSkew(problems: Problems, v: UpgradeVersions): void {
  const cp = v.controlPlane;
  const base = v.environment;
  let oldestApiServer = cp;
  if (cp.own && compareVersions(cp.version, base.version) !== 0) {
    oldestApiServer = compareVersions(base.version, cp.version) < 0 ? base : cp;
    const from = parse(base.version);
    const to = parse(cp.version);
    if (compareVersions(cp.version, base.version) < 0) {
      problems.add(
        `${v.env}.controlPlane.template`,
        `"${cp.name}" carries Kubernetes ${cp.version}, older than the ${base.version} of the environment's template "${base.name}": a control plane is never downgraded; use a template of ${base.version} or newer`,
      );
      return; // the pools' skew against a control plane that cannot be would only repeat it
    } else if (to.major !== from.major || to.minor - from.minor > 1) {
      problems.add(
        `${v.env}.controlPlane.template`,
        `"${cp.name}" carries Kubernetes ${cp.version}, more than one minor above the ${base.version} the control-plane nodes not yet rebuilt run ("${base.name}"): upgrade one minor at a time, first to a ${from.major}.${from.minor + 1}.x template`,
      );
    }
  }
  v.workers.forEach((w, i) => {
    const path = `${v.env}.workers[${i}]${w.own ? ".template" : ""}`;
    if (compareVersions(w.version, oldestApiServer.version) > 0) {
      const fix =
        oldestApiServer === base && cp.own
          ? `the control plane is still rolling to ${cp.version} (controlPlane.template): once every control-plane node is rebuilt, make "${cp.name}" the environment's template and remove controlPlane.template, then roll the pools`
          : `use a template of ${oldestApiServer.version} or older, or upgrade the control plane first`;
      problems.add(path, `"${w.name}" carries kubelet ${w.version}, newer than the oldest API server (${oldestApiServer.version}, "${oldestApiServer.name}"): a kubelet is never newer than the API server; ${fix}`);
      return;
    }
    const kubelet = parse(w.version);
    const api = parse(cp.version);
    if (kubelet.major !== api.major || api.minor - kubelet.minor > MAX_KUBELET_MINORS_BEHIND) {
      problems.add(
        path,
        `"${w.name}" carries kubelet ${w.version}, more than ${MAX_KUBELET_MINORS_BEHIND} minors behind the control plane's ${cp.version}: roll this pool to a newer template${w.own ? "" : " (the environment's)"} before the control plane goes further`,
      );
    }
  });
}

/** Like `sort -V` on x.y.z: negative when a is older. */
export function compareVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

function parse(version: string): { major: number; minor: number; patch: number } {
  const [major, minor, patch] = version.replace(/^v/, "").split(".").map(Number);
  return { major, minor, patch };
}
