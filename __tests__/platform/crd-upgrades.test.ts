import { mirrorBase } from "../../lib/config/registry-mirror";
import { KPS_CRD_UPGRADE_BUSYBOX_TAG } from "../../lib/platform/kube-prometheus-stack";
import { valueAt } from "../../lib/platform/values";
import { environment, MIRROR } from "./fixtures";
import { synthPlatform } from "./synth";
import { upstreamValues } from "./upstream";

/**
 * Helm installs a chart's crds/ once and never upgrades it: each chart with CRDs there gets its upstream
 * upgrade path. kube-prometheus-stack: the chart's CRD upgrade job (a pre-install/pre-upgrade hook).
 */
describe("kube-prometheus-stack upgrades its CRDs through the chart's upgrade job", () => {
  const upstream = upstreamValues("kube-prometheus-stack") as any;

  it("upstream ships the job disabled (so enabling it is ours to do), with the image fields we rewrite", () => {
    expect(upstream.crds.upgradeJob.enabled).toBe(false);
    expect(upstream.crds.upgradeJob.image.busybox).toMatchObject({ registry: "docker.io", repository: "busybox", tag: "latest" });
    expect(upstream.crds.upgradeJob.image.kubectl).toMatchObject({ registry: "registry.k8s.io", repository: "kubectl", tag: "" });
  });

  it.each(["sandbox", "prod"] as const)("enabled in %s, with a pinned busybox (never 'latest')", (tier) => {
    const kps = synthPlatform(environment(tier)).releases["kube-prometheus-stack"].values;
    expect(valueAt(kps, "crds.enabled")).toBeUndefined(); // the CRD subchart stays on (upstream default true)
    expect(valueAt(kps, "crds.upgradeJob.enabled")).toBe(true);
    expect(valueAt(kps, "crds.upgradeJob.image.busybox.tag")).toBe(KPS_CRD_UPGRADE_BUSYBOX_TAG);
    expect(KPS_CRD_UPGRADE_BUSYBOX_TAG).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("pulls both job images from the mirror", () => {
    const kps = synthPlatform(environment("prod", { mirror: true })).releases["kube-prometheus-stack"].values;
    const base = mirrorBase(MIRROR);
    expect(valueAt(kps, "crds.upgradeJob.enabled")).toBe(true);
    expect(valueAt(kps, "crds.upgradeJob.image.busybox.registry")).toBe(`${base}/docker.io`);
    expect(valueAt(kps, "crds.upgradeJob.image.kubectl.registry")).toBe(`${base}/registry.k8s.io`);
  });
});

// Traefik: its CRDs are the `traefik-crds` release's, upgraded with the chart (traefik-crds.test.ts).
