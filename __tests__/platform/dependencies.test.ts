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
    // environment/deployed-addresses.json holds every address of the shipped stacks; these are the releases'.
    expect(Object.values(releases).map((r) => r.address).sort()).toEqual([
      "platform_argo-cd_helm_release_84C2C982",
      "platform_argocd-apps_default-project_release_7D04DCB4",
      "platform_argocd-apps_helm_release_D0A7FC1F",
      "platform_blackbox-exporter_helm_release_2121C3FA",
      "platform_calico_crds_release_8D09C9DA",
      "platform_calico_operator_release_A9AEDC3D",
      "platform_cert-manager_helm_release_AB4CCFB5",
      "platform_cert-manager_issuer_release_9D80D7B0",
      "platform_fluent-bit_helm_release_820DDA9E",
      "platform_kube-prometheus-stack_helm_release_8F79B5F6",
      "platform_kyverno_helm_release_EBD75F75",
      "platform_kyverno_policies_release_D1A3AF1D",
      "platform_loki_helm_release_D3D7634C",
      "platform_rook-ceph-cluster_helm_release_2E80012E",
      "platform_rook-ceph_helm_release_C07B3E15",
      "platform_snapshot-controller_helm_release_30ECE302",
      "platform_traefik-admin_helm_release_95873A87",
      "platform_traefik-crds_helm_release_A9AC8340",
      "platform_traefik-public_helm_release_9BA4B12A",
      "platform_velero_helm_release_39DC4BD0",
    ]);
  });
});
