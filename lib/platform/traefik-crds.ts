import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { CHARTS } from "./chart-versions";
import { HelmAddon } from "./helm-addon";
import { NAMESPACE, TRAEFIK_CRDS_RELEASE } from "./names";
import type { PlatformContext } from "./platform-context";
import { TRAEFIK_CRD_MANIFESTS } from "./traefik-crd-manifests";

/** Helm leaves a resource with this annotation in place when it uninstalls or replaces the release. */
export const HELM_KEEP_ANNOTATION = { "helm.sh/resource-policy": "keep" } as const;

/**
 * The `traefik.io` CRDs of the pinned traefik chart, as manifests: with `keep`, each carries Helm's keep
 * annotation. Parsed here, from JSON, on every call: callers get their own objects.
 */
export function traefikCrdManifests(keep: boolean): Record<string, any>[] {
  return TRAEFIK_CRD_MANIFESTS.map((json) => {
    const crd = JSON.parse(json);
    if (keep) crd.metadata.annotations = { ...crd.metadata.annotations, ...HELM_KEEP_ANNOTATION };
    return crd;
  });
}

export interface TraefikCrdsProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** The readiness gate, the CNI and the release namespace (traefik-public). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * Traefik's CRDs as their own release, so they follow the chart on every bump. Helm installs a chart's crds/
 * once and never upgrades them, and upstream's `traefik-crds` chart ended with traefik 40.0.0 (deprecated in
 * v38.0.2, removed in v40.1.0; its last CRDs lack fields of the 41.x ones). So the CRDs of the pinned traefik
 * chart's crds/ (lib/platform/traefik-crd-manifests.ts, checked against the vendored chart) are templates of a
 * release of bedag's `raw` chart, already mirrored: Helm upgrades templated CRDs with the release. Both Traefik
 * releases skip their crds/ (`skip_crds`) and wait for this one: one owner per CRD.
 *
 * Only `traefik.io`: Traefik Hub is off (no `hub.traefik.io`), and the Gateway API provider is off, whose CRDs
 * the traefik chart no longer ships anyway (upstream: install them yourself when you enable it).
 *
 * `take_ownership` (Helm >= 3.17) adopts the CRDs an existing environment already has (created from the traefik
 * chart's crds/, without Helm's ownership labels), on a fresh cluster it changes nothing: no adoption step,
 * no switch. With `keepTraefikCrds` (dev, prod) Helm keeps the CRDs when the release is uninstalled or
 * replaced, and the review gate refuses a plan that deletes it (`ingress-crds`).
 */
export class TraefikCrds extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: TraefikCrdsProps) {
    super(scope, id);
    const { context } = props;
    this.addon = new HelmAddon(this, "helm", {
      releaseName: TRAEFIK_CRDS_RELEASE,
      chart: CHARTS.raw,
      // The CRDs are cluster-scoped; the release record lives with the public Traefik, which needs them first.
      namespace: NAMESPACE.traefik("public"),
      mirror: context.mirror,
      defaults: {},
      // JSON (indented: plans diff it line by line), not YAML: 250 kB of YAML cost a synth far more.
      serializedValues: [JSON.stringify({ resources: traefikCrdManifests(context.rules.keepTraefikCrds) }, null, 1)],
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
    this.addon.release.takeOwnership = true;
  }
}
