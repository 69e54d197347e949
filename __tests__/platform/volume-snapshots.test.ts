import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CHARTS } from "../../lib/platform/chart-versions";
import { NAMESPACE } from "../../lib/platform/names";
import { NAMESPACE_POD_SECURITY } from "../../lib/platform/namespaces";
import { CEPH_BLOCK_POOL, CEPH_BLOCK_SNAPSHOT_CLASS, cephCsiDriver, VELERO_SNAPSHOT_CLASS_LABEL } from "../../lib/platform/rook-ceph-cluster";
import { VELERO_AWS_PLUGIN_IMAGE } from "../../lib/platform/velero";
import { closedCrdSchema } from "../helpers/crd-schema";
import { environment, MIRROR } from "./fixtures";
import { synthPlatform } from "./synth";
import { CHARTS_DIR, upstreamValues } from "./upstream";

const sandbox = synthPlatform({ ...environment("sandbox"), tenants: [{ name: "shop" }] });
const dev = synthPlatform({ ...environment("dev"), tenants: [{ name: "shop" }] });
const prod = synthPlatform({ ...environment("prod"), tenants: [{ name: "shop" }] });
const ref = (s: typeof prod, release: string) => `helm_release.${s.releases[release].address}`;

describe("the snapshot controller and the VolumeSnapshot CRDs", () => {
  it("is the pinned piraeus chart (external-snapshotter v8.6.0), CRDs included, in its own restricted namespace", () => {
    const r = prod.releases["snapshot-controller"];
    expect([r.chart, r.version, r.namespace]).toEqual(["snapshot-controller", "5.2.0", NAMESPACE.snapshotController]);
    expect(CHARTS.snapshotController.repository).toBe("https://piraeus.io/helm-charts/");
    const chart = parse(readFileSync(join(CHARTS_DIR, "snapshot-controller", "Chart.yaml"), "utf8"));
    expect([chart.version, chart.appVersion]).toEqual([CHARTS.snapshotController.version, "v8.6.0"]);
    expect(r.values).toMatchObject({ installCRDs: true, webhook: { enabled: false } });
    expect(NAMESPACE_POD_SECURITY["snapshot-controller"].level).toBe("restricted");
  });

  it("pulls the controller (and the disabled webhook's image) from the mirror", () => {
    const v = synthPlatform(environment("prod", { mirror: true })).releases["snapshot-controller"].values as any;
    const base = `${MIRROR.host}/${MIRROR.pathPrefix}`;
    expect([v.controller.image.repository, v.webhook.image.repository]).toEqual([
      `${base}/registry.k8s.io/sig-storage/snapshot-controller`,
      `${base}/registry.k8s.io/sig-storage/snapshot-conversion-webhook`,
    ]);
    const upstream = upstreamValues("snapshot-controller") as any;
    expect([upstream.controller.image.repository, upstream.webhook.image.repository]).toEqual([
      "registry.k8s.io/sig-storage/snapshot-controller",
      "registry.k8s.io/sig-storage/snapshot-conversion-webhook",
    ]);
  });

  it.each(["dev", "prod"] as const)("cannot be destroyed or replaced by Terraform on %s (prevent_destroy: the CRDs go with it)", (tier) => {
    expect(synthPlatform(environment(tier)).releases["snapshot-controller"].raw.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("stays destroyable on sandbox, and platform.protectVolumeSnapshots decides where set", () => {
    const lifecycle = (tier: "sandbox" | "prod", protectVolumeSnapshots: boolean) =>
      synthPlatform(environment(tier, { platform: { protectVolumeSnapshots } })).releases["snapshot-controller"].raw.lifecycle;
    expect(synthPlatform(environment("sandbox")).releases["snapshot-controller"].raw.lifecycle).toBeUndefined();
    expect(lifecycle("prod", false)).toBeUndefined();
    expect(lifecycle("sandbox", true)).toEqual({ prevent_destroy: true });
  });

  it("comes after the pod network and its namespace, behind the API readiness gate", () => {
    const r = prod.releases["snapshot-controller"];
    expect(r.dependsOn).toEqual(expect.arrayContaining(["null_resource.api-ready", ref(prod, "calico"), expect.stringMatching(/^terraform_data\.platform_pod-network-ready/)]));
    expect(r.dependsOn.some((d) => d.includes("namespaces_snapshot-controller"))).toBe(true);
  });
});

describe("CRDs → VolumeSnapshotClass → Velero", () => {
  it.each([["sandbox", sandbox], ["dev", dev], ["prod", prod]] as const)("%s: rook-ceph-cluster (the class) waits for the CRD release, Velero for both", (_t, s) => {
    expect(s.releases["rook-ceph-cluster"].dependsOn).toContain(ref(s, "snapshot-controller"));
    expect(s.releases.velero.dependsOn).toEqual(expect.arrayContaining([ref(s, "snapshot-controller"), ref(s, "rook-ceph-cluster")]));
  });
});

/**
 * The block pool's VolumeSnapshotClass comes from rook-ceph-cluster's own template (vendored at v1.20.6). Its driver
 * and clusterID are rendered from the same values as the pool's StorageClass: a class naming another driver than the
 * provisioner would never snapshot a volume.
 */
describe("the Ceph RBD VolumeSnapshotClass", () => {
  const template = (file: string) => readFileSync(join(CHARTS_DIR, "rook-ceph-cluster", "templates", file), "utf8");
  const blockClassTemplate = template("volumesnapshotclass.yaml").split("{{- if $blockpoolvsc.enabled }}")[1];
  const storageClassTemplate = template("cephblockpool.yaml");
  const values = prod.releases["rook-ceph-cluster"].values as any;
  const vsc = values.cephBlockPoolsVolumeSnapshotClass;

  /** The class as the template renders it from our values (the template's logic, for the keys it reads). */
  const rendered = {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: { name: vsc.name, labels: vsc.labels, annotations: { "snapshot.storage.kubernetes.io/is-default-class": String(vsc.isDefault) } },
    driver: `${values.csiDriverNamePrefix || values.operatorNamespace}.rbd.csi.ceph.com`,
    parameters: { clusterID: prod.releases["rook-ceph-cluster"].namespace, "csi.storage.k8s.io/snapshotter-secret-name": "rook-csi-rbd-provisioner", "csi.storage.k8s.io/snapshotter-secret-namespace": prod.releases["rook-ceph-cluster"].namespace, ...vsc.parameters },
    deletionPolicy: vsc.deletionPolicy,
  };

  it("the template derives the driver and clusterID exactly as the StorageClass's provisioner and clusterID", () => {
    const exprs = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}: (.*)$`, "gm"))].map((m) => m[1]);
    expect(exprs(blockClassTemplate, "driver")).toEqual(exprs(storageClassTemplate, "provisioner"));
    expect(exprs(blockClassTemplate, "driver")).toEqual(["{{ $root.Values.csiDriverNamePrefix }}.rbd.csi.ceph.com", "{{ $root.Values.operatorNamespace }}.rbd.csi.ceph.com"]);
    expect(blockClassTemplate).toContain("clusterID: {{ .Release.Namespace }}");
    expect(storageClassTemplate).toContain("clusterID: {{ $root.Release.Namespace | quote }}");
    // The StorageClass names its pool; a snapshot class has no pool: Ceph CSI snapshots an image in its own pool.
    expect(storageClassTemplate).toContain("pool: {{ $blockpool.name | quote }}");
    expect(blockClassTemplate).not.toMatch(/^\s*pool:/m);
  });

  it("names Rook's RBD driver (<operator namespace>.rbd.csi.ceph.com), the block pool's cluster, and no other pool", () => {
    expect(values.csiDriverNamePrefix).toBeUndefined();
    expect(values.operatorNamespace).toBe(NAMESPACE.rook);
    expect(rendered.driver).toBe(cephCsiDriver("rbd"));
    expect(rendered.driver).toBe("rook-ceph.rbd.csi.ceph.com");
    // The pool's CephBlockPool lives in the release's namespace, which is the clusterID of class and StorageClass alike.
    expect(rendered.parameters.clusterID).toBe(NAMESPACE.rook);
    expect(values.cephBlockPools.find((p: any) => p.name === CEPH_BLOCK_POOL).storageClass.enabled).toBe(true);
    expect(rendered.parameters).not.toHaveProperty("pool");
  });

  it.each([["sandbox", sandbox], ["dev", dev], ["prod", prod]] as const)("%s: on, labelled for Velero, default for RBD, Delete", (_t, s) => {
    expect((s.releases["rook-ceph-cluster"].values as any).cephBlockPoolsVolumeSnapshotClass).toEqual({
      enabled: true,
      name: CEPH_BLOCK_SNAPSHOT_CLASS,
      isDefault: true,
      deletionPolicy: "Delete",
      annotations: {},
      labels: { [VELERO_SNAPSHOT_CLASS_LABEL]: "true" },
      parameters: {},
    });
    // No CephFS is deployed, so no CephFS class (the chart's default stays off).
    expect((s.releases["rook-ceph-cluster"].values as any).cephFileSystems).toEqual([]);
    expect((upstreamValues("rook-ceph-cluster") as any).cephFileSystemVolumeSnapshotClass.enabled).toBe(false);
  });

  it("is a valid VolumeSnapshotClass of external-snapshotter v8.6.0's CRD (closed schema: a misspelt field fails)", () => {
    const crd = parse(readFileSync(join(CHARTS_DIR, "snapshot-controller", "crds", "snapshot.storage.k8s.io_volumesnapshotclasses.yaml"), "utf8"));
    const v1 = crd.spec.versions.find((v: any) => v.name === "v1" && v.served);
    const schema = closedCrdSchema(v1.schema.openAPIV3Schema) as any;
    schema.properties.metadata = { type: "object" }; // the API server's, not the CRD's
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(rendered)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(validate({ ...rendered, deletionPolicy: "Keep" })).toBe(false);
    expect(validate({ ...rendered, deletePolicy: "Delete" })).toBe(false);
  });
});

describe("Velero's CSI snapshots", () => {
  it.each([["sandbox", sandbox], ["dev", dev], ["prod", prod]] as const)("%s: CSI on, tenant volumes snapshotted and their data moved to the bucket", (_t, s) => {
    const v = s.releases.velero.values as any;
    expect(v.configuration).toMatchObject({ features: "EnableCSI", defaultSnapshotMoveData: true, uploaderType: "kopia" });
    // The data mover runs in the node-agents.
    expect(v.deployNodeAgent).toBe(true);
    expect(v.schedules.tenants.template).toMatchObject({ snapshotVolumes: true, snapshotMoveData: true, defaultVolumesToFsBackup: false });
    // The platform's schedule keeps resources only (no Prometheus volume).
    expect(v.schedules.platform.template).toMatchObject({ snapshotVolumes: false, defaultVolumesToFsBackup: false });
    expect(v.schedules.platform.template.snapshotMoveData).toBeUndefined();
  });

  it("the in-cluster Ceph RGW gets no checksum header (the plugin's known Ceph issue); an external store keeps the plugin's default", () => {
    expect((sandbox.releases.velero.values as any).configuration.backupStorageLocation[0].config.checksumAlgorithm).toBe("");
    expect((prod.releases.velero.values as any).configuration.backupStorageLocation[0].config).not.toHaveProperty("checksumAlgorithm");
  });

  /** velero-plugin-for-aws README, release-1.14 branch: v1.14.x ↔ Velero v1.18.x, v1.13.x ↔ v1.17.x, ... v1.10.x ↔ v1.14.x. */
  const PLUGIN_FOR_VELERO: Record<string, string> = { "1.18": "1.14", "1.17": "1.13", "1.16": "1.12", "1.15": "1.11", "1.14": "1.10" };

  it("the AWS plugin is the line the plugin's compatibility table gives for the chart's Velero", () => {
    const chart = parse(readFileSync(join(CHARTS_DIR, "velero", "Chart.yaml"), "utf8"));
    const veleroMinor = String(chart.appVersion).split(".").slice(0, 2).join(".");
    const pluginMinor = VELERO_AWS_PLUGIN_IMAGE.split(":v")[1].split(".").slice(0, 2).join(".");
    expect([veleroMinor, pluginMinor]).toEqual(["1.18", PLUGIN_FOR_VELERO[veleroMinor]]);
    expect((upstreamValues("velero") as any).image.tag).toBe(`v${chart.appVersion}`);
  });
});
