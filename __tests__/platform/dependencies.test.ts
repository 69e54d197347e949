import { environment } from "./fixtures";
import { synthPlatform } from "./synth";

const { releases } = synthPlatform(environment("prod"));
const ref = (name: string) => `helm_release.${releases[name].address}`;
const deps = (name: string) => releases[name].dependsOn;

describe("install and destroy order", () => {
  it("every release waits for the API readiness gate", () => {
    for (const r of Object.values(releases)) expect(r.dependsOn).toContain("null_resource.api-ready");
  });
  it.each([
    ["calico", "calico-crds", "the Installation CR needs Calico's CRDs"],
    ["traefik-public", "calico", "no pod network before the CNI"],
    ["cert-manager", "calico", "its webhook is a pod the API server calls"],
    ["cluster-issuer", "cert-manager", "the ClusterIssuer needs cert-manager's CRD and webhook; destroyed before them"],
    ["traefik-public", "traefik-crds", "the chart's CRDs are skipped: its TLSStore needs traefik-crds' CRDs"],
    ["traefik-admin", "traefik-crds", "the chart's CRDs are skipped: its TLSStore needs traefik-crds' CRDs"],
    ["traefik-public", "cluster-issuer", "the default Certificate needs the CRD and its issuer"],
    ["traefik-admin", "cluster-issuer", "the default Certificate needs the CRD and its issuer"],
    ["argo-cd", "cluster-issuer", "its Ingress names the ClusterIssuer; destroyed before it"],
    ["kube-prometheus-stack", "cluster-issuer", "its Ingresses name the ClusterIssuer; destroyed before it"],
    ["rook-ceph-cluster", "rook-ceph", "CephCluster is destroyed before its operator"],
    ["argocd-apps", "argo-cd", "Applications are destroyed before Argo CD"],
    ["argo-cd", "traefik-admin", "UI on the admin class"],
    ["kube-prometheus-stack", "rook-ceph-cluster", "monitoring volumes live on Ceph; destroyed before the storage"],
    ["prometheus-blackbox-exporter", "kube-prometheus-stack", "the Probe CRD comes with kube-prometheus-stack"],
    ["rook-ceph-cluster", "snapshot-controller", "its VolumeSnapshotClass needs the VolumeSnapshot CRDs; destroyed before them"],
    ["velero", "snapshot-controller", "CSI snapshots need the controller and CRDs"],
    ["velero", "rook-ceph-cluster", "CSI snapshots need the VolumeSnapshotClass Velero picks by label"],
  ])("%s depends on %s (%s)", (dependent, dependency) => {
    expect(deps(dependent)).toContain(ref(dependency));
  });
  it("every release is atomic, cleans up on failure, waits, never creates its namespace (Terraform does, labelled), with a sized timeout", () => {
    for (const r of Object.values(releases)) {
      expect(r.raw).toMatchObject({ atomic: true, cleanup_on_fail: true, wait: true, create_namespace: false });
    }
    expect(releases["kube-prometheus-stack"].raw.timeout).toBeGreaterThan(300);
    expect(releases["rook-ceph-cluster"].raw.timeout).toBeGreaterThan(300);
    expect(releases["rook-ceph"].raw.timeout).toBeGreaterThan(300);
  });
  it("construct ids (Terraform addresses) are stable", () => {
    expect(Object.values(releases).map((r) => r.raw["//"] ? (r.raw["//"] as any).metadata.path : r.address).sort()).toMatchSnapshot();
  });
});
