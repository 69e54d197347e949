import { TerraformProvider, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { mirrorBase, mirroredImage } from "../config/registry-mirror";
import type { ValidatedEnvironment } from "../config/types";
import { CONTAINERD_VERSION, KUBE_VIP_IMAGE, parseKubeVersion, pauseImageTag } from "../cluster/versions";
import { CHARTS, type ChartKey, type ChartPin } from "../platform/chart-versions";
import { KubernetesEnvironment } from "../environment/kubernetes-environment";
import { HelmAddon } from "../platform/helm-addon";
import { CHART_IMAGES, type ChartImageRow } from "./chart-images";
import { joinImage, splitImage } from "./image-ref";
import { kubeadmImages, kubeadmTableRow, MissingTableRowError } from "./kubeadm-images";
import type { BillOfMaterials, BomChart, BomImage, BomNodeImageInput, BomProvider } from "./types";
import { completeReference, imagesInValues } from "./values-images";

/** Platforms `terraform providers mirror` fetches by default: the Linux runners and nodes of the site. */
export const DEFAULT_PROVIDER_PLATFORMS = ["linux_amd64"] as const;

export interface BillOfMaterialsOptions {
  /** @default DEFAULT_PROVIDER_PLATFORMS */
  readonly providerPlatforms?: readonly string[];
}

/** Something a table must say and does not (a Kubernetes minor, a chart version, an image without a tag). */
export class BillOfMaterialsError extends Error {
  constructor(readonly environment: string, readonly problems: readonly string[]) {
    super(`Bill of materials of ${environment}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "BillOfMaterialsError";
  }
}

/**
 * What one environment pulls and installs, derived from the constructs that configure it: the nodes'
 * kubeadm version and kube-vip, every Helm release's effective values (what Helm is given) completed by the
 * pinned tables (kubeadm's image set per minor, chart defaults and operator-started images), the charts and
 * the Terraform providers of its stack, and the node image inputs. `environment` is the construct whose
 * subtree holds the environment's HelmAddons (a KubernetesEnvironment, or its stack).
 */
export function billOfMaterials(config: ValidatedEnvironment, environment: IConstruct, options: BillOfMaterialsOptions = {}): BillOfMaterials {
  const mirror = config.registryMirror;
  const base = mirror ? mirrorBase(mirror) : undefined;
  const problems: string[] = [];
  const images = new Map<string, Set<string>>();
  const add = (image: string, source: string) => images.set(image, (images.get(image) ?? new Set()).add(source));

  const version = config.kubernetes.version;
  const tableSource = `kubeadm ${version} table (lib/bom/kubeadm-images.ts)${kubeadmTableRow(version)?.unverified ? " [tag unverified]" : ""}`;
  try {
    for (const image of kubeadmImages(version)) add(image, /\/(etcd|coredns\/coredns|pause):/.test(image) ? tableSource : `kubeadm ${version} control plane`);
  } catch (error) {
    if (!(error instanceof MissingTableRowError)) throw error;
    problems.push(error.message);
  }
  add(`registry.k8s.io/pause:${pauseImageTag(version)}`, "containerd sandbox image (lib/cluster/containerd.ts)");
  add(KUBE_VIP_IMAGE, "kube-vip static pod and the node image's pre-pull (KUBE_VIP_IMAGE, lib/cluster/versions.ts)");

  const charts: BomChart[] = [];
  for (const addon of environment.node.findAll().filter((c): c is HelmAddon => c instanceof HelmAddon)) {
    charts.push(chartEntry(addon, mirror?.chartRepository));
    for (const [image, source] of releaseImages(addon, base, `v${version}`, problems)) add(image, source);
  }

  const sorted = [...images.keys()].sort();
  const bomImages: BomImage[] = sorted.map((image) => ({ image, mirror: mirroredImage(image, mirror), sources: [...images.get(image)!] }));
  if (problems.length > 0) throw new BillOfMaterialsError(config.name, problems);
  return {
    environment: config.name,
    kubernetesVersion: version,
    mirrorBase: base,
    registryHost: mirror?.host,
    images: bomImages,
    charts: dedupeCharts(charts),
    providers: stackProviders(environment, options.providerPlatforms ?? DEFAULT_PROVIDER_PLATFORMS),
    nodeImage: nodeImageInputs(version),
  };
}

function chartKeyOf(pin: ChartPin): ChartKey | undefined {
  return (Object.keys(CHARTS) as ChartKey[]).find((key) => CHARTS[key].chart === pin.chart && CHARTS[key].repository === pin.repository);
}

/** The images one release runs: the chart's table rows with the effective values' overrides, plus every complete reference in its values. */
function releaseImages(addon: HelmAddon, base: string | undefined, kubernetesTag: string, problems: string[]): [string, string][] {
  const { chart, releaseName: release } = addon;
  const key = chartKeyOf(chart);
  const table = key ? CHART_IMAGES[key] : undefined;
  if (table && table.version !== chart.version) {
    problems.push(`release ${release}: CHART_IMAGES.${key} (lib/bom/chart-images.ts) is for ${chart.chart} ${table.version} but CHARTS pins ${chart.version}: update its rows from the chart at ${chart.version}`);
  }
  const rows: readonly ChartImageRow[] = table?.images ?? [];
  const inValues = imagesInValues(addon.values, base);
  const out: [string, string][] = [];
  for (const row of rows) {
    const fromValues = row.path === "" ? undefined : inValues.find((v) => v.path === row.path);
    const upstream = splitImage(row.image.replace("{kubernetes}", kubernetesTag));
    const name = fromValues?.name && fromValues.name.split("/")[0].includes(".") ? fromValues.name : upstream.name;
    const tag = fromValues?.tag ?? upstream.tag!;
    const why = fromValues?.tag || name !== upstream.name ? `helm values of release ${release} at ${row.path}` : `chart ${chart.chart} ${table!.version} default at ${row.path || "(operator)"}${row.origin ? `: ${row.origin}` : ""}`;
    out.push([joinImage(name, tag), `${why}${row.unverified ? " [tag unverified]" : ""}`]);
  }
  const covered = new Set(rows.map((r) => r.path));
  for (const image of inValues) {
    if (covered.has(image.path)) continue;
    const ref = completeReference(image);
    if (ref) out.push([ref, `helm values of release ${release} at ${image.path}`]);
    else {
      problems.push(`release ${release} (${chart.chart} ${chart.version}): the image at values path ${image.path} has no complete reference (registry/repository:tag) in the values and no row in CHART_IMAGES${key ? `.${key}` : ""} (lib/bom/chart-images.ts): add one`);
    }
  }
  return out;
}

function chartEntry(addon: HelmAddon, chartRepository: string | undefined): BomChart {
  const oci = chartRepository?.replace(/\/+$/, "");
  return { release: addon.releaseName, chart: addon.chart.chart, version: addon.chart.version, repository: addon.chart.repository, ociTarget: oci };
}

/** One row per chart version (the two Traefik releases share a chart); releases joined. */
function dedupeCharts(charts: readonly BomChart[]): BomChart[] {
  const byKey = new Map<string, BomChart>();
  for (const c of charts) {
    const key = `${c.repository} ${c.chart} ${c.version}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, release: `${seen.release}, ${c.release}` } : c);
  }
  return [...byKey.values()].sort((a, b) => a.chart.localeCompare(b.chart));
}

/** `helm` -> `registry.terraform.io/hashicorp/helm`; `vmware/vsphere` -> `registry.terraform.io/vmware/vsphere`. */
export function providerAddress(source: string): string {
  const parts = source.split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${source}`;
  return parts.length === 2 ? `registry.terraform.io/${source}` : source;
}

function stackProviders(scope: IConstruct, platforms: readonly string[]): BomProvider[] {
  const stack = TerraformStack.of(scope);
  const bySource = new Map<string, BomProvider>();
  for (const provider of stack.node.findAll().filter(TerraformProvider.isTerraformProvider)) {
    const version = provider.terraformGeneratorMetadata?.providerVersion;
    if (!provider.terraformProviderSource || !version) continue;
    const source = providerAddress(provider.terraformProviderSource);
    bySource.set(source, { source, version, platforms: [...platforms] });
  }
  return [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source));
}

/** The node image's inputs (packer/variables.pkr.hcl): what the site's RPM and ISO mirrors must hold. */
export function nodeImageInputs(kubernetesVersion: string): BomNodeImageInput[] {
  const { major, minor } = parseKubeVersion(kubernetesVersion);
  return [
    { variable: "iso_path", what: "Rocky Linux 9 DVD ISO (x86_64) on a datastore" },
    { variable: "yum_mirror_baseos", what: "Rocky Linux 9 BaseOS RPM repository mirror" },
    { variable: "yum_mirror_appstream", what: "Rocky Linux 9 AppStream RPM repository mirror" },
    { variable: "yum_mirror_kubernetes", what: `pkgs.k8s.io core:/stable:/v${major}.${minor}/rpm/ mirror (kubelet, kubeadm, kubectl ${kubernetesVersion}; repodata/repomd.xml.key)` },
    { variable: "yum_mirror_containerd", what: `Docker CE stable RPM repository for RHEL 9 x86_64 mirror (containerd.io ${CONTAINERD_VERSION})` },
    { variable: "yum_mirror_containerd_gpg_key", what: "Docker CE repository signing key on the mirror" },
    { variable: "packer init", what: "Packer plugin github.com/hashicorp/vsphere ~> 1.4 (packer/plugins.pkr.hcl)" },
  ];
}

/** The KubernetesEnvironments of an app (in construct order), or the named ones (an unknown name is an error). */
export function appEnvironments(app: IConstruct, names?: readonly string[]): KubernetesEnvironment[] {
  const environments = app.node.findAll().filter((c): c is KubernetesEnvironment => c instanceof KubernetesEnvironment);
  const unknown = (names ?? []).filter((n) => !environments.some((e) => e.config.name === n));
  if (unknown.length > 0) {
    throw new BillOfMaterialsError(unknown.join(", "), [`no environment named ${unknown.join(", ")}; the app has: ${environments.map((e) => e.config.name).join(", ")}`]);
  }
  return environments.filter((e) => !names || names.includes(e.config.name));
}

/** The bill of materials of every KubernetesEnvironment of an app, or of the named ones. */
export function appBillsOfMaterials(app: IConstruct, names?: readonly string[], options?: BillOfMaterialsOptions): BillOfMaterials[] {
  return appEnvironments(app, names).map((e) => billOfMaterials(e.config, e, options));
}
