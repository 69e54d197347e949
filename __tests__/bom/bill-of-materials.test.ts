import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { appBillsOfMaterials, appEnvironments, billOfMaterials, BillOfMaterialsError } from "../../lib/bom/bill-of-materials";
import { formatBoms } from "../../lib/bom/formats";
import { kubeadmImages } from "../../lib/bom/kubeadm-images";
import type { BillOfMaterials } from "../../lib/bom/types";
import { clusterConfiguration } from "../../lib/cluster/kubeadm-config";
import { hostsToml, MIRRORED_REGISTRIES } from "../../lib/cluster/mirror";
import { KUBE_VIP_IMAGE } from "../../lib/cluster/versions";
import { mirrorBase, mirroredImage } from "../../lib/config/registry-mirror";
import { CHARTS } from "../../lib/platform/chart-versions";
import { HelmAddon } from "../../lib/platform/helm-addon";
import { synthesize } from "../../stacks/app";
import { prodCopy } from "../helpers/environments";

const outdir = mkdtempSync(join(tmpdir(), "bom-test-"));
let app: App;
let boms: BillOfMaterials[];
beforeAll(() => {
  app = synthesize({ outdir });
  boms = appBillsOfMaterials(app);
});

/** Everything the synth wrote for one stack: cdk.tf.json (helm values included) and every rendered file (cloud-configs with kube-vip, containerd, kubeadm). */
function synthesizedText(env: string): string {
  const rendered = join(outdir, "rendered", env);
  return [readFileSync(join(outdir, "stacks", env, "cdk.tf.json"), "utf8"), ...readdirSync(rendered).map((f) => readFileSync(join(rendered, f), "utf8"))].join("\n");
}

describe("bill of materials of the three shipped stacks", () => {
  it("covers the three environments", () => {
    expect(boms.map((b) => b.environment)).toEqual(["sandbox", "dev", "prod"]);
  });

  it("every image reference under the mirror anywhere in the synthesized output is in the BOM", () => {
    for (const bom of boms) {
      const base = bom.mirrorBase!;
      const mirrors = new Set(bom.images.map((i) => i.mirror));
      const names = bom.images.map((i) => i.mirror.replace(/[:@][^/]*$/, ""));
      const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const refs = new Set([...synthesizedText(bom.environment).matchAll(new RegExp(`${escaped}/[A-Za-z0-9._/@:-]+`, "g"))].map((m) => m[0].replace(/[.:/]+$/, "")));
      expect(refs.size).toBeGreaterThan(10);
      for (const ref of refs) {
        const tagged = /:[^/]+$/.test(ref.slice(base.length));
        // A tagged reference is pulled as is; an untagged one is a registry or repository the chart completes (its tag from the table).
        const known = tagged ? mirrors.has(ref) : names.some((n) => n === ref || n.startsWith(`${ref}/`));
        expect({ env: bom.environment, ref, known }).toEqual({ env: bom.environment, ref, known: true });
      }
    }
  });

  it("lists the snapshot controller's chart and images in every environment (Velero's CSI snapshots)", () => {
    for (const bom of boms) {
      expect(bom.images.map((i) => i.image)).toEqual(
        expect.arrayContaining(["registry.k8s.io/sig-storage/snapshot-controller:v8.6.0", "registry.k8s.io/sig-storage/snapshot-conversion-webhook:v8.6.0"]),
      );
      expect(bom.charts).toContainEqual(expect.objectContaining({ release: "snapshot-controller", chart: "snapshot-controller", version: "5.2.0", repository: "https://piraeus.io/helm-charts/" }));
    }
  });

  it("holds kubeadm's images under the cluster's imageRepository, kube-vip and the containerd sandbox image", () => {
    for (const env of appEnvironments(app)) {
      const bom = boms.find((b) => b.environment === env.config.name)!;
      const mirrors = bom.images.map((i) => i.mirror);
      const cc = clusterConfiguration(env.config) as { imageRepository: string; dns: { imageRepository: string } };
      for (const image of kubeadmImages(env.config.kubernetes.version)) {
        const path = image.replace(/^registry\.k8s\.io\/coredns\//, `${cc.dns.imageRepository}/`).replace(/^registry\.k8s\.io\//, `${cc.imageRepository}/`);
        expect(mirrors).toContain(path);
      }
      expect(mirrors).toContain(mirroredImage(KUBE_VIP_IMAGE, env.config.registryMirror));
    }
  });

  it("the node image pre-pulls nothing the BOM lacks (packer's kube-vip tag)", () => {
    const packerDefault = /variable "kube_vip_version" \{[^}]*default\s*=\s*"([^"]+)"/.exec(readFileSync(join(__dirname, "../../packer/variables.pkr.hcl"), "utf8"))![1];
    expect(boms[2].images.map((i) => i.image)).toContain(`ghcr.io/kube-vip/kube-vip:${packerDefault}`);
  });

  it("maps every image to mirroredImage(), and hosts.toml of its registry resolves that same repository", () => {
    for (const env of appEnvironments(app)) {
      const mirror = env.config.registryMirror!;
      for (const image of boms.find((b) => b.environment === env.config.name)!.images) {
        expect(image.mirror).toBe(mirroredImage(image.image, mirror));
        const registry = image.image.split("/")[0];
        if (!(MIRRORED_REGISTRIES as readonly string[]).includes(registry)) continue; // pulled by its mirror name only (values rewritten)
        // containerd: GET <host URL>/manifests/<tag> with override_path; the registry serves /v2/<name>/manifests/<tag>.
        const hostUrl = /\[host\."([^"]+)"\]/.exec(hostsToml(registry, mirror))![1];
        const name = image.mirror.slice(mirror.host.length + 1).replace(/[:@][^/]*$/, "");
        expect(`${hostUrl}${image.image.slice(registry.length).replace(/[:@][^/]*$/, "")}`).toBe(`https://${mirror.host}/v2/${name}`);
      }
    }
  });

  it("images outside the registries containerd redirects are pulled by their mirror name: the values name the mirror for them", () => {
    for (const bom of boms) {
      const text = synthesizedText(bom.environment);
      for (const image of bom.images.filter((i) => !(MIRRORED_REGISTRIES as readonly string[]).includes(i.image.split("/")[0]))) {
        const registryPath = `${bom.mirrorBase}/${image.image.split("/")[0]}`;
        expect({ image: image.image, rewritten: text.includes(registryPath) }).toEqual({ image: image.image, rewritten: true });
      }
    }
  });

  it("versions agree with the pins: charts as in CHARTS, kube-apiserver at the cluster version, kube-vip as KUBE_VIP_IMAGE", () => {
    const prod = boms[2];
    for (const chart of prod.charts) {
      const pin = Object.values(CHARTS).find((c) => c.chart === chart.chart)!;
      expect([chart.chart, chart.version, chart.repository]).toEqual([pin.chart, pin.version, pin.repository]);
      expect(chart.ociTarget).toBe("oci://gitlab.example.internal:5050/platform/charts");
    }
    const releases = appEnvironments(app, ["prod"])[0].node.findAll().filter((c) => c instanceof HelmAddon).length;
    expect(prod.charts.flatMap((c) => c.release.split(", ")).length).toBe(releases);
    // Traefik's CRDs are a release of the raw chart (no images): the chart to mirror is raw's row.
    expect(prod.charts.find((c) => c.release.split(", ").includes("traefik-crds"))).toMatchObject({ chart: CHARTS.raw.chart, version: CHARTS.raw.version });
    expect(prod.images.map((i) => i.image)).toEqual(expect.arrayContaining([`registry.k8s.io/kube-apiserver:v${prod.kubernetesVersion}`, KUBE_VIP_IMAGE, "quay.io/ceph/ceph:v20.2.4"]));
  });

  it("the effective values win over the chart table (kube-prometheus-stack's pinned busybox tag)", () => {
    const busybox = boms[2].images.filter((i) => i.image.startsWith("docker.io/busybox:"));
    expect(busybox).toHaveLength(1);
    expect(busybox[0].image).not.toBe("docker.io/busybox:latest");
    expect(busybox[0].sources[0]).toMatch(/^helm values of release kube-prometheus-stack at crds\.upgradeJob\.image\.busybox/);
  });

  it("lists the stack's providers with exact versions, and the node image inputs", () => {
    const sources = boms[2].providers.map((p) => `${p.source} ${p.version}`);
    expect(sources).toEqual(expect.arrayContaining(["registry.terraform.io/vmware/vsphere 2.15.0", "registry.terraform.io/hashicorp/helm 3.1.1", "registry.terraform.io/hashicorp/kubernetes 2.38.0"]));
    expect(boms[2].nodeImage.map((n) => n.variable)).toEqual(expect.arrayContaining(["iso_path", "yum_mirror_kubernetes", "yum_mirror_containerd"]));
  });
});

describe("formats", () => {
  it("skopeo: one idempotent copy per image, upstream to the mirror path", () => {
    const script = formatBoms([boms[2]], "skopeo");
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n[\s\S]*set -euo pipefail\n/);
    for (const image of boms[2].images) expect(script).toContain(`skopeo copy --all --retry-times 3 docker://${image.image} docker://${image.mirror}\n`);
  });

  it("helm: pull from upstream, push to the OCI chart repository", () => {
    const script = formatBoms([boms[2]], "helm");
    expect(script).toContain(`helm pull rook-ceph --repo https://charts.rook.io/release --version v1.20.6 --destination "$workdir" && helm push "$workdir/rook-ceph-v1.20.6.tgz" oci://gitlab.example.internal:5050/platform/charts\n`);
  });

  it("terraform: providers mirror of a configuration with the exact versions", () => {
    const script = formatBoms(boms, "terraform");
    expect(script).toContain(`vsphere = { source = "registry.terraform.io/vmware/vsphere", version = "2.15.0" }`);
    expect(script).toContain(`providers mirror -platform=linux_amd64 "$dest"`);
  });

  it("json round-trips the BOM; table names every image with its source", () => {
    expect(JSON.parse(formatBoms([boms[2]], "json"))).toEqual(JSON.parse(JSON.stringify(boms[2])));
    const table = formatBoms([boms[2]], "table");
    expect(table).toContain(`quay.io/ceph/ceph:v20.2.4  ->  ${mirrorBase(prodCopy().registryMirror)}/quay.io/ceph/ceph:v20.2.4  (chart rook-ceph-cluster v1.20.6 default at cephImage)`);
  });
});

/** The environment construct as the BOM sees it, with its HelmAddons replaced (the stack, hence the providers, kept). */
function withAddons(env: ReturnType<typeof appEnvironments>[number], addons: HelmAddon[]): typeof env {
  return Object.assign(Object.create(env), { node: { ...env.node, findAll: () => addons } });
}

function addon(release: string): HelmAddon {
  return appEnvironments(app, ["prod"])[0].node.findAll().find((c): c is HelmAddon => c instanceof HelmAddon && c.releaseName === release)!;
}

describe("what the tables must say", () => {
  it("a chart bumped without its CHART_IMAGES entry fails, naming both versions", () => {
    const env = appEnvironments(app, ["prod"])[0];
    const bumped = Object.create(addon("kyverno"), { chart: { value: { ...addon("kyverno").chart, version: "3.10.0" } } });
    expect(() => billOfMaterials(env.config, withAddons(env, [bumped]))).toThrow(
      /release kyverno: CHART_IMAGES\.kyverno \(lib\/bom\/chart-images\.ts\) is for kyverno 3\.9\.0 but CHARTS pins 3\.10\.0/,
    );
  });

  it("an image in a release's values without tag nor table row fails, naming release and path", () => {
    const env = appEnvironments(app, ["prod"])[0];
    const rook = addon("rook-ceph");
    const extra = Object.create(rook, { values: { value: { ...rook.values, newSidecar: { image: { repository: "quay.io/example/new" } } } } });
    expect(() => billOfMaterials(env.config, withAddons(env, [extra]))).toThrow(BillOfMaterialsError);
    expect(() => billOfMaterials(env.config, withAddons(env, [extra]))).toThrow(
      /release rook-ceph \(rook-ceph v1\.20\.6\): the image at values path newSidecar\.image has no complete reference/,
    );
  });

  it("a complete reference in a release's values is picked up without a table row (new add-ons)", () => {
    const env = appEnvironments(app, ["prod"])[0];
    const rook = addon("rook-ceph");
    const extra = Object.create(rook, { values: { value: { ...rook.values, newSidecar: { image: { repository: `${mirrorBase(env.config.registryMirror!)}/quay.io/example/new`, tag: "v1" } } } } });
    const bom = billOfMaterials(env.config, withAddons(env, [extra]));
    expect(bom.images.find((i) => i.image === "quay.io/example/new:v1")?.sources).toEqual(["helm values of release rook-ceph at newSidecar.image"]);
  });

  it("an unknown environment name is one clear error", () => {
    expect(() => appBillsOfMaterials(app, ["nope"])).toThrow(/no environment named nope; the app has: sandbox, dev, prod/);
  });
});
