/**
 * The blast-radius gate on a table of REAL Terraform plans (terraform_data stand-ins, retyped to our
 * provider types: see stand-in-plan.ts). Every case of issue 11 is a row with its expected outcome.
 * All rows live in one Terraform config (each row's resources carry the row's prefix) so Terraform
 * runs once; each row is judged on its own slice of the real plan.
 */
import { rmSync } from "fs";
import { describeWithTool } from "../../tools";
import { buildStackReport } from "../../../lib/review/plan-report";
import { planMarkdown } from "../../../lib/review/plan-markdown";
import { KNOWN_TYPES } from "../../../lib/review/blast-radius-rules";
import { REGENERATED_SECRET_LABEL } from "../../../lib/config/labels";
import type { PlanJson } from "../../../lib/review/plan-json";
import { planStandIns, type StandIn, type StandInPlan } from "../../review/stand-in-plan";

const VM = "vsphere_virtual_machine";
const osDisk = { label: "disk0", unit_number: 0, size: 80 };
const dataDisk = { label: "disk1", unit_number: 1, size: 1024 };
const vm = (path: string, name: string, extra: Record<string, unknown> = {}, replaceOn?: unknown): StandIn => ({
  as: VM,
  path,
  input: { name, num_cpus: 4, memory: 8192, guest_id: "rhel9_64Guest", firmware: "efi", disk: [osDisk], ...extra },
  replaceOn,
});
const release = (path: string, input: Record<string, unknown>): StandIn => ({ as: "helm_release", path, input: { namespace: "default", ...input } });
const rookCluster = (values: string) =>
  release("platform/rook-ceph-cluster/helm/release", { name: "rook-ceph-cluster", chart: "rook-ceph-cluster", namespace: "rook-ceph", values: [values] });
/** cephClusterSpec with two OSD nodes, each with `selection` (the prod layout's shape). */
const osdNodes = (selection: Record<string, string>, count = 2) =>
  `cephClusterSpec:\n  storage:\n    useAllNodes: false\n    useAllDevices: false\n    nodes:\n` +
  Array.from({ length: count }, (_, i) => `      - name: prod-storage-${i + 1}\n` + Object.entries(selection).map(([k, v]) => `        ${k}: ${JSON.stringify(v)}\n`).join("")).join("");
const pool = (size: number) => `cephBlockPools:\n  - name: ceph-blockpool\n    spec:\n      failureDomain: host\n      replicated:\n        size: ${size}\n`;
const clientCert = (v: number): StandIn => ({
  as: "tls_locally_signed_cert",
  path: "cluster/pki/admin-cert",
  input: { allowed_uses: ["digital_signature", "key_encipherment", "client_auth"], is_ca_certificate: false, validity_period_hours: 8760, early_renewal_hours: 720 },
  replaceOn: v,
  replacePathAs: "ready_for_renewal",
});

/** The join token's pieces at rotation v (README "Join token"): what one rotation replaces. */
const tokenPiece = (as: string, path: string, input: Record<string, unknown>, v: number, replacePathAs: string): StandIn => ({ as, path, input, replaceOn: v, replacePathAs });
const joinToken = (v: number): Record<string, StandIn> => ({
  rotation: tokenPiece("time_rotating", "cluster/pki/bootstrap-token-rotation", { rotation_hours: 24 }, v, "rotation_rfc3339"),
  id: tokenPiece("random_string", "cluster/pki/bootstrap-token-id", { length: 6, keepers: { rotation: `t${v}` } }, v, "keepers"),
  secret: tokenPiece("random_password", "cluster/pki/bootstrap-token-secret", { length: 16, keepers: { rotation: `t${v}` } }, v, "keepers"),
  k8s: tokenPiece("kubernetes_secret_v1", "cluster/join-token/secret", { type: "bootstrap.kubernetes.io/token", metadata: [{ name: `bootstrap-token-id${v}`, namespace: "kube-system", labels: { [REGENERATED_SECRET_LABEL]: "true" } }] }, v, "metadata"),
  // The VM's user-data changes with the token, but ignore_changes (extra_config) keeps the plan a no-op.
  vm: vm("cluster/workers-general/node-1", "prod-general-1"),
});

/** kubeadm-config's ClusterConfiguration key naming a Kubernetes version (KubeadmCluster.kubeadmConfig). */
const kubeadmConfig = (version: string): StandIn => ({
  as: "kubernetes_config_map_v1_data",
  path: "cluster/kubeadm-config",
  input: { data: { ClusterConfiguration: `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v${version}\n` } },
});

type Resources = Record<string, StandIn>;
interface Row {
  /** Prefix of every resource of the row, and its name in the table. */
  readonly id: string;
  /** The case in the words. */
  readonly says: string;
  readonly v1: Resources;
  readonly v2: Resources;
  /** Rules the row must break, with how many changes each: [] means the plan passes. */
  readonly refused: ReadonlyArray<readonly [rule: string, hits: number]>;
  readonly routine?: readonly string[];
  /** Second-reviewer notes the row must carry (SECURITY_REVIEWS ids, one per change). */
  readonly security?: readonly string[];
}

/** The label the admin UIs' Secrets carry (lib/platform/admin-ui-auth.ts). */
const REGENERATED_LABEL = { [REGENERATED_SECRET_LABEL]: "true" };

/** `row("x", { a: ... })` prefixes names with `x__` so rows cannot collide. */
const named = (id: string, r: Resources): Resources => Object.fromEntries(Object.entries(r).map(([k, v]) => [`${id}__${k}`, v]));

const ROWS: Row[] = [
  {
    id: "disk_loss",
    says: "every Ceph data disk removed by an in-place update of the storage VMs (the plan says update)",
    v1: { s1: vm("cluster/workers-storage/node-1", "prod-storage-1", { disk: [osDisk, dataDisk] }), s2: vm("cluster/workers-storage/node-2", "prod-storage-2", { disk: [osDisk, dataDisk] }), s3: vm("cluster/workers-storage/node-3", "prod-storage-3", { disk: [osDisk, dataDisk] }) },
    v2: { s1: vm("cluster/workers-storage/node-1", "prod-storage-1"), s2: vm("cluster/workers-storage/node-2", "prod-storage-2"), s3: vm("cluster/workers-storage/node-3", "prod-storage-3") },
    refused: [["data-disk-loss", 3]],
  },
  {
    id: "moved_cp",
    says: "two control-plane VMs replaced after a moved block renamed them (generic vSphere names)",
    // cdktf-style logical ids: the old construct path is recoverable from previous_address alone.
    v1: { "cluster_control-plane_node-1_0A1B2C3D": vm("cluster/control-plane/node-1", "vm-a", {}, 1), "cluster_control-plane_node-2_4E5F6A7B": vm("cluster/control-plane/node-2", "vm-b", {}, 1) },
    v2: { legacy_a: vm("cluster/legacy/a", "vm-a", {}, 2), legacy_b: vm("cluster/legacy/b", "vm-b", {}, 2) },
    refused: [["control-plane-vms", 2]],
  },
  {
    id: "ca_forget",
    says: "the cluster CA key forget-ed (removed block, destroy = false) and a new one created",
    v1: { ca_key: { as: "tls_private_key", path: "cluster/pki/ca-key", input: { algorithm: "RSA", rsa_bits: 2048 } } },
    v2: { ca_key_new: { as: "tls_private_key", path: "cluster/pki/ca-key-new", input: { algorithm: "RSA", rsa_bits: 2048 } } },
    refused: [["cluster-pki", 1]],
  },
  {
    id: "rook_tgz",
    says: "the rook-ceph-cluster release deleted, its chart given as a .tgz",
    v1: { rel: release("platform/rook-ceph-cluster/helm/release", { name: "storage", chart: "charts/rook-ceph-cluster-v1.15.3.tgz", namespace: "rook-ceph" }) },
    v2: {},
    refused: [["stateful-helm-release", 1]],
  },
  {
    id: "rook_local",
    says: "the rook-ceph-cluster release deleted, its chart given as a local path",
    v1: { rel: release("platform/rook-ceph-cluster/helm/release", { name: "storage", chart: "./vendor/rook-ceph-cluster/", namespace: "rook-ceph" }) },
    v2: {},
    refused: [["stateful-helm-release", 1]],
  },
  {
    id: "rook_anon",
    says: "a release from a local path that names nothing (./chart): Helm's recorded chart name says rook-ceph-cluster",
    v1: { rel: release("platform/storage/release", { name: "storage", chart: "./chart", namespace: "storage", metadata: { chart: "rook-ceph-cluster", version: "v1.15.3" } }) },
    v2: {},
    refused: [["stateful-helm-release", 1]],
  },
  {
    id: "rook_repo",
    says: "the rook-ceph-cluster release deleted, its chart given as repo/name",
    v1: { rel: release("platform/rook-ceph-cluster/helm/release", { name: "rook-ceph-cluster", chart: "rook-release/rook-ceph-cluster", namespace: "rook-ceph" }) },
    v2: {},
    refused: [["stateful-helm-release", 1]],
  },
  {
    id: "calico_crds",
    says: "the Calico CRD release uninstalled (issue 18: the pod network goes with it)",
    v1: { rel: release("platform/calico/crds/release", { name: "calico-crds", chart: "oci://gitlab.example.internal:5050/platform/charts/crd.projectcalico.org.v1", namespace: "tigera-operator" }) },
    v2: {},
    refused: [["pod-network-crds", 1]],
  },
  {
    id: "calico_crds_replaced",
    says: "the Calico CRD release replaced (a forced new release)",
    v1: { rel: { ...release("platform/calico/crds/release", { name: "calico-crds", chart: "crd.projectcalico.org.v1", namespace: "tigera-operator" }), replaceOn: 1 } },
    v2: { rel: { ...release("platform/calico/crds/release", { name: "calico-crds", chart: "crd.projectcalico.org.v1", namespace: "tigera-operator" }), replaceOn: 2 } },
    refused: [["pod-network-crds", 1]],
  },
  {
    id: "traefik_crds",
    says: "the traefik-crds release uninstalled (issue 18: every IngressRoute, Middleware and TLSStore goes with its CRDs)",
    v1: { rel: release("platform/traefik-crds/helm/release", { name: "traefik-crds", chart: "oci://gitlab.example.internal:5050/platform/charts/raw", namespace: "traefik-public" }) },
    v2: {},
    refused: [["ingress-crds", 1]],
  },
  {
    id: "traefik_crds_replaced",
    says: "the traefik-crds release replaced (moved to another namespace)",
    v1: { rel: { ...release("platform/traefik-crds/helm/release", { name: "traefik-crds", chart: "raw", namespace: "traefik-public" }), replaceOn: 1 } },
    v2: { rel: { ...release("platform/traefik-crds/helm/release", { name: "traefik-crds", chart: "raw", namespace: "traefik-admin" }), replaceOn: 2 } },
    refused: [["ingress-crds", 1]],
  },
  {
    id: "traefik_crds_update",
    says: "the traefik-crds release upgraded in place (a Traefik chart bump brings new CRDs): routine",
    v1: { rel: release("platform/traefik-crds/helm/release", { name: "traefik-crds", chart: "raw", namespace: "traefik-public", values: ['{"resources": []}'] }) },
    v2: { rel: release("platform/traefik-crds/helm/release", { name: "traefik-crds", chart: "raw", namespace: "traefik-public", values: ['{"resources": [{"kind": "CustomResourceDefinition"}]}'] }) },
    refused: [],
  },
  {
    id: "snapshot_crds",
    says: "the snapshot-controller release uninstalled: the VolumeSnapshot CRDs and every VolumeSnapshot go with it",
    v1: { rel: release("platform/snapshot-controller/helm/release", { name: "snapshot-controller", chart: "oci://gitlab.example.internal:5050/platform/charts/snapshot-controller", namespace: "snapshot-controller" }) },
    v2: {},
    refused: [["volume-snapshot-crds", 1]],
  },
  {
    id: "snapshot_crds_replaced",
    says: "the snapshot-controller release replaced (a forced new release), its chart given as repo/name",
    v1: { rel: { ...release("platform/snapshot-controller/helm/release", { name: "snapshot-controller", chart: "piraeus-charts/snapshot-controller", namespace: "snapshot-controller" }), replaceOn: 1 } },
    v2: { rel: { ...release("platform/snapshot-controller/helm/release", { name: "snapshot-controller", chart: "piraeus-charts/snapshot-controller", namespace: "snapshot-controller" }), replaceOn: 2 } },
    refused: [["volume-snapshot-crds", 1]],
  },
  {
    id: "ns_rook",
    says: "kubernetes_namespace of rook-ceph deleted (a type the rules did not know)",
    v1: {
      ns: { as: "kubernetes_namespace_v1", path: "platform/rook-ceph/namespace", input: { metadata: [{ name: "rook-ceph" }] } },
      op: release("platform/rook-ceph/helm/release", { name: "rook-ceph", chart: "oci://gitlab.example.internal:5050/platform/charts/rook-ceph", namespace: "rook-ceph" }),
    },
    v2: { op: release("platform/rook-ceph/helm/release", { name: "rook-ceph", chart: "oci://gitlab.example.internal:5050/platform/charts/rook-ceph", namespace: "rook-ceph" }) },
    refused: [["stateful-namespace", 1]],
  },
  {
    id: "ns_team",
    says: "a namespace that holds no stateful release deleted: still everything in it is gone (issue 12 made this a refusal)",
    v1: { ns: { as: "kubernetes_namespace_v1", path: "tenants/team-a/namespace", input: { metadata: [{ name: "team-a" }] } } },
    v2: {},
    refused: [["namespace-contents", 1]],
  },
  {
    id: "ns_replace",
    says: "the cert-manager namespace replaced (e.g. renamed): every Certificate Secret and the site CA go with it",
    v1: { ns: { as: "kubernetes_namespace_v1", path: "platform/namespaces/cert-manager", input: { metadata: [{ name: "cert-manager" }] }, replaceOn: 1 } },
    v2: { ns: { as: "kubernetes_namespace_v1", path: "platform/namespaces/cert-manager", input: { metadata: [{ name: "cert-manager" }] }, replaceOn: 2 } },
    refused: [["namespace-contents", 1]],
  },
  {
    id: "ns_labels",
    says: "Pod Security labels of a platform namespace changed (a Kubernetes minor upgrade): in place, routine, passes",
    v1: { ns: { as: "kubernetes_namespace_v1", path: "platform/namespaces/argocd", input: { metadata: [{ name: "argocd", labels: { "pod-security.kubernetes.io/enforce-version": "v1.33" } }] } } },
    v2: { ns: { as: "kubernetes_namespace_v1", path: "platform/namespaces/argocd", input: { metadata: [{ name: "argocd", labels: { "pod-security.kubernetes.io/enforce-version": "v1.34" } }] } } },
    refused: [],
  },
  {
    id: "np_delete",
    says: "NetworkPolicies deleted (security.networkPolicies switched off): no data lost, passes with a note",
    v1: {
      deny: { as: "kubernetes_network_policy_v1", path: "platform/network-policies/argocd-default-deny", input: { metadata: [{ name: "default-deny", namespace: "argocd" }] } },
      dns: { as: "kubernetes_network_policy_v1", path: "platform/network-policies/argocd-dns-and-api-server", input: { metadata: [{ name: "dns-and-api-server", namespace: "argocd" }] } },
    },
    v2: {},
    refused: [],
    routine: ["network-policy-change", "network-policy-change"],
  },
  {
    id: "np_update",
    says: "a NetworkPolicy's rules changed in place: passes without a note",
    v1: { np: { as: "kubernetes_network_policy_v1", path: "platform/network-policies/monitoring-grafana-from-traefik-admin", input: { spec: [{ policy_types: ["Ingress"], ingress: [{ ports: [{ port: "3000" }] }] }] } } },
    v2: { np: { as: "kubernetes_network_policy_v1", path: "platform/network-policies/monitoring-grafana-from-traefik-admin", input: { spec: [{ policy_types: ["Ingress"], ingress: [{ ports: [{ port: "3001" }] }] }] } } },
    refused: [],
  },
  {
    id: "vdisk",
    says: "a vsphere_virtual_disk deleted (a type the rules did not know)",
    v1: { disk: { as: "vsphere_virtual_disk", path: "storage/osd-disk-1", input: { size: 1024, vmdk_path: "osd/osd-1.vmdk" } } },
    v2: {},
    refused: [["data-disk-loss", 1]],
  },
  {
    id: "unknown",
    says: "a resource type no rule knows: deleting it is refused, updating it is not",
    v1: { manifest: { as: "kubernetes_manifest", path: "platform/x/manifest", input: { manifest: { kind: "Foo" } } }, cm: { as: "kubernetes_config_map_v1", path: "platform/x/cm", input: { data: { a: "1" } } } },
    v2: { cm: { as: "kubernetes_config_map_v1", path: "platform/x/cm", input: { data: { a: "2" } } } },
    refused: [["unknown-type", 1]],
  },
  {
    id: "secret_given",
    says: "a Secret Terraform did not generate (repository credentials) deleted",
    v1: { secret: { as: "kubernetes_secret_v1", path: "platform/argo-cd/repo-creds", input: { type: "Opaque", metadata: [{ name: "repo-creds", labels: {} }] } } },
    v2: {},
    refused: [["kubernetes-secrets", 1]],
  },
  {
    id: "secret_regenerated",
    says: "the admin UIs' generated credential Secrets replaced and deleted: passes (the next apply writes them again)",
    v1: {
      htpasswd: { as: "kubernetes_secret_v1", path: "platform/kube-prometheus-stack/ui-auth/htpasswd", input: { metadata: [{ name: "admin-ui-htpasswd", labels: REGENERATED_LABEL }] }, replaceOn: 1 },
      probe: { as: "kubernetes_secret_v1", path: "platform/kube-prometheus-stack/ui-auth/probe-credential", input: { metadata: [{ name: "admin-ui-probe-credential", labels: REGENERATED_LABEL }] } },
    },
    v2: { htpasswd: { as: "kubernetes_secret_v1", path: "platform/kube-prometheus-stack/ui-auth/htpasswd", input: { metadata: [{ name: "admin-ui-htpasswd", labels: REGENERATED_LABEL }] }, replaceOn: 2 } },
    refused: [],
  },
  {
    id: "rbac",
    says: "ClusterRoleBindings of directory groups created, changed and removed: pass, each with a second-reviewer note",
    v1: {
      admins: { as: "kubernetes_cluster_role_binding_v1", path: "platform/people/admin-binding", input: { role_ref: [{ name: "cluster-admin" }], subject: [{ name: "oidc:platform-admins" }] } },
      viewers: { as: "kubernetes_cluster_role_binding_v1", path: "platform/people/viewer-binding", input: { role_ref: [{ name: "view" }], subject: [{ name: "oidc:developers" }] } },
    },
    v2: {
      admins: { as: "kubernetes_cluster_role_binding_v1", path: "platform/people/admin-binding", input: { role_ref: [{ name: "cluster-admin" }], subject: [{ name: "oidc:platform-admins" }, { name: "oidc:contractors" }] } },
      team: { as: "kubernetes_role_binding_v1", path: "tenants/team-a/admin-binding", input: { role_ref: [{ name: "admin" }], subject: [{ name: "oidc:team-a" }] } },
    },
    refused: [],
    security: ["rbac-grants", "rbac-grants", "rbac-grants"],
  },
  {
    id: "enc_key_dropped",
    // Logical ids as cdktf writes them: a deleted resource's path is read from its name (no synth of it remains).
    says: "a Secret encryption key dropped from security.encryptionKeys (random_bytes under pki): refused by its own rule, not as a cluster CA",
    v1: { "cluster_pki_encryption-key-key1_1A2B3C4D": { as: "random_bytes", path: "cluster/pki/encryption-key-key1", input: { length: 32 } }, "cluster_pki_encryption-key-key2_5E6F7A8B": { as: "random_bytes", path: "cluster/pki/encryption-key-key2", input: { length: 32 } } },
    v2: { "cluster_pki_encryption-key-key2_5E6F7A8B": { as: "random_bytes", path: "cluster/pki/encryption-key-key2", input: { length: 32 } } },
    refused: [["secret-encryption-key", 1]],
  },
  {
    id: "enc_key_added",
    says: "a new Secret encryption key listed (rotation, first step): a create passes",
    v1: { "cluster_pki_encryption-key-key1_1A2B3C4D": { as: "random_bytes", path: "cluster/pki/encryption-key-key1", input: { length: 32 } } },
    v2: { "cluster_pki_encryption-key-key1_1A2B3C4D": { as: "random_bytes", path: "cluster/pki/encryption-key-key1", input: { length: 32 } }, "cluster_pki_encryption-key-key2_5E6F7A8B": { as: "random_bytes", path: "cluster/pki/encryption-key-key2", input: { length: 32 } } },
    refused: [],
  },
  {
    id: "kubeadm_cfg_update",
    says: "the kubeadm-config ClusterConfiguration changes (hardening reaches the next control-plane rebuild): an update passes",
    v1: { cfg: { as: "kubernetes_config_map_v1_data", path: "cluster/kubeadm-config", input: { data: { ClusterConfiguration: "a" } } } },
    v2: { cfg: { as: "kubernetes_config_map_v1_data", path: "cluster/kubeadm-config", input: { data: { ClusterConfiguration: "b" } } } },
    refused: [],
  },
  {
    id: "kubeadm_cfg_deleted",
    says: "the kubeadm-config data resource deleted: joins and upgrades would lose the ClusterConfiguration",
    v1: { cfg: { as: "kubernetes_config_map_v1_data", path: "cluster/kubeadm-config", input: { data: { ClusterConfiguration: "a" } } } },
    v2: {},
    refused: [["kubeadm-config", 1]],
  },
  {
    id: "upgrade_roll",
    says: "an upgrade step: kubeadm-config names the next minor and one control-plane VM is rebuilt from the new template (revision bump): passes with a note",
    v1: {
      cfg: kubeadmConfig("1.33.4"),
      cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1", { clone: [{ template_uuid: "tmpl-1.33" }] }, "revision-0"),
      cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2", { clone: [{ template_uuid: "tmpl-1.33" }] }, "revision-0"),
    },
    v2: {
      cfg: kubeadmConfig("1.34.2"),
      cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1", { clone: [{ template_uuid: "tmpl-1.34" }] }, "revision-1"),
      cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2", { clone: [{ template_uuid: "tmpl-1.33" }] }, "revision-0"),
    },
    refused: [],
    routine: ["kubernetes-upgrade"],
  },
  {
    id: "upgrade_two_cp",
    says: "an upgrade that rebuilds two control-plane VMs in one apply: still one per apply",
    v1: { cfg: kubeadmConfig("1.33.4"), cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1", {}, "revision-0"), cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2", {}, "revision-0") },
    v2: { cfg: kubeadmConfig("1.34.2"), cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1", {}, "revision-1"), cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2", {}, "revision-1") },
    refused: [["control-plane-vms", 2]],
    routine: ["kubernetes-upgrade"],
  },
  {
    id: "upgrade_skip",
    says: "kubeadm-config raised by two minors (a skipped upgrade step)",
    v1: { cfg: kubeadmConfig("1.33.4") },
    v2: { cfg: kubeadmConfig("1.35.0") },
    refused: [["kubernetes-version-skew", 1]],
  },
  {
    id: "downgrade",
    says: "kubeadm-config lowered (a reverted version): the next control-plane join would deploy the older control plane",
    v1: { cfg: kubeadmConfig("1.34.2") },
    v2: { cfg: kubeadmConfig("1.34.1") },
    refused: [["kubernetes-version-skew", 1]],
  },
  {
    id: "reboot_cp",
    says: "two control-plane VMs updated in place with a new guest id (both reboot)",
    v1: { cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1"), cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2") },
    v2: { cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1", { guest_id: "rhel10_64Guest" }), cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2", { guest_id: "rhel10_64Guest" }) },
    refused: [["control-plane-vms", 2]],
  },
  {
    id: "hot_add_cp",
    says: "two control-plane VMs given CPU and memory with hot-add enabled: no reboot, passes",
    v1: { cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1", { cpu_hot_add_enabled: true }), cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2", { memory_hot_add_enabled: true }) },
    v2: { cp1: vm("cluster/control-plane/node-1", "prod-control-plane-1", { cpu_hot_add_enabled: true, num_cpus: 8 }), cp2: vm("cluster/control-plane/node-2", "prod-control-plane-2", { memory_hot_add_enabled: true, memory: 16384 }) },
    refused: [],
  },
  {
    id: "reboot_storage",
    says: "two storage VMs given memory without hot-add (both reboot)",
    v1: { s1: vm("cluster/workers-storage/node-1", "prod-storage-1", { disk: [osDisk, dataDisk] }), s2: vm("cluster/workers-storage/node-2", "prod-storage-2", { disk: [osDisk, dataDisk] }) },
    v2: { s1: vm("cluster/workers-storage/node-1", "prod-storage-1", { disk: [osDisk, dataDisk], memory: 16384 }), s2: vm("cluster/workers-storage/node-2", "prod-storage-2", { disk: [osDisk, dataDisk], memory: 16384 }) },
    refused: [["ceph-data-disk-vms", 2]],
  },
  {
    id: "module_cp",
    says: "control-plane VMs inside a module with generic names (node[0..2]), all replaced",
    v1: {},
    v2: {},
    refused: [["control-plane-vms", 3]],
  },
  {
    id: "admin_renewal",
    says: "the yearly early renewal of the admin client certificate: routine, passes with a note",
    v1: { cert: clientCert(1) },
    v2: { cert: clientCert(2) },
    refused: [],
    routine: ["admin-cert-renewal"],
  },
  {
    id: "token_rotation",
    says: "the scheduled join-token rotation: time_rotating, both random halves (keepers) and the bootstrap-token Secret replaced, no VM change: routine",
    v1: joinToken(1),
    v2: joinToken(2),
    refused: [],
    routine: ["join-token-rotation", "join-token-rotation", "join-token-rotation", "join-token-rotation"],
  },
  {
    id: "token_resized",
    says: "the token's random secret replaced for another reason than its keepers (a new length) is not routine",
    v1: { secret: tokenPiece("random_password", "cluster/pki/bootstrap-token-secret", { length: 16 }, 1, "length") },
    v2: { secret: tokenPiece("random_password", "cluster/pki/bootstrap-token-secret", { length: 24 }, 2, "length") },
    refused: [["cluster-pki", 1]],
  },
  {
    id: "token_secret_deleted",
    says: "the bootstrap-token Secret deleted (not replaced) is refused although regenerated: no node can join",
    v1: { k8s: joinToken(1).k8s },
    v2: {},
    refused: [["kubernetes-secrets", 1]],
  },
  {
    id: "ca_renewal",
    says: "a CA certificate replaced for renewal is not routine",
    v1: { ca: { ...clientCert(1), as: "tls_self_signed_cert", path: "cluster/pki/ca-cert", input: { is_ca_certificate: true, allowed_uses: ["cert_signing"] } } },
    v2: { ca: { ...clientCert(2), as: "tls_self_signed_cert", path: "cluster/pki/ca-cert", input: { is_ca_certificate: true, allowed_uses: ["cert_signing"] } } },
    refused: [["cluster-pki", 1]],
  },
  {
    id: "pool_change",
    says: "a Ceph pool's replication changed through the rook-ceph-cluster values (an update)",
    v1: { rel: rookCluster(pool(3)) },
    v2: { rel: rookCluster(pool(2)) },
    refused: [["ceph-storage-layout", 1]],
  },
  {
    id: "ceph_resources",
    says: "the Ceph daemons' requests changed (cephClusterSpec.resources): Rook restarts them one at a time, passes",
    v1: { rel: rookCluster(`cephClusterSpec:\n  storage:\n    useAllNodes: false\n  resources:\n    osd:\n      requests:\n        cpu: 1000m\n`) },
    v2: { rel: rookCluster(`cephClusterSpec:\n  storage:\n    useAllNodes: false\n  resources:\n    osd:\n      requests:\n        cpu: 500m\n`) },
    refused: [],
  },
  {
    id: "ceph_device_path_filter",
    says: "the OSD disks selected by stable by-path name instead of kernel name (deviceFilter -> devicePathFilter), same nodes: routine, passes with a note",
    v1: { rel: rookCluster(osdNodes({ deviceFilter: "^sdb$" })) },
    v2: { rel: rookCluster(osdNodes({ devicePathFilter: "^/dev/disk/by-path/pci-[0-9a-f:.]+-scsi-0:0:1:0$" })) },
    refused: [],
    routine: ["ceph-osd-device-selection"],
  },
  {
    id: "ceph_filter_and_resources",
    says: "the filter change together with new daemon requests (both let through on their own): routine, passes",
    v1: { rel: rookCluster(osdNodes({ deviceFilter: "^sdb$" }) + "  resources:\n    osd:\n      requests:\n        cpu: 1000m\n") },
    v2: { rel: rookCluster(osdNodes({ devicePathFilter: "^/dev/disk/by-path/pci-[0-9a-f:.]+-scsi-0:0:1:0$" }) + "  resources:\n    osd:\n      requests:\n        cpu: 500m\n") },
    refused: [],
    routine: ["ceph-osd-device-selection"],
  },
  {
    id: "ceph_filter_and_node",
    says: "the same filter change with a storage node dropped is storage layout (Rook stops managing its OSDs)",
    v1: { rel: rookCluster(osdNodes({ deviceFilter: "^sdb$" })) },
    v2: { rel: rookCluster(osdNodes({ devicePathFilter: "^/dev/disk/by-path/pci-[0-9a-f:.]+-scsi-0:0:1:0$" }, 1)) },
    refused: [["ceph-storage-layout", 1]],
  },
  {
    id: "ceph_filter_and_pool",
    says: "the same filter change together with a pool change is storage layout (the routine note covers the filter alone)",
    v1: { rel: rookCluster(osdNodes({ deviceFilter: "^sdb$" }) + pool(3)) },
    v2: { rel: rookCluster(osdNodes({ devicePathFilter: "^/dev/disk/by-path/pci-[0-9a-f:.]+-scsi-0:0:1:0$" }) + pool(2)) },
    refused: [["ceph-storage-layout", 1]],
  },
  {
    id: "ceph_snapshot_class",
    says: "the block pool's VolumeSnapshotClass added to rook-ceph-cluster (CSI snapshots for Velero): no pool changes, passes",
    v1: { rel: rookCluster(pool(3)) },
    v2: { rel: rookCluster(`${pool(3)}cephBlockPoolsVolumeSnapshotClass:\n  enabled: true\n  name: ceph-block\n  deletionPolicy: Delete\n`) },
    refused: [],
  },
  {
    id: "snapshot_crds_upgrade",
    says: "the snapshot-controller chart bumped in place: Helm upgrades the CRDs with the release, passes",
    v1: { rel: release("platform/snapshot-controller/helm/release", { name: "snapshot-controller", chart: "snapshot-controller", version: "5.2.0", namespace: "snapshot-controller" }) },
    v2: { rel: release("platform/snapshot-controller/helm/release", { name: "snapshot-controller", chart: "snapshot-controller", version: "5.3.0", namespace: "snapshot-controller" }) },
    refused: [],
  },
  {
    id: "ceph_cleanup_policy",
    says: "any other cephClusterSpec change (here the cleanup policy that wipes the disks) is storage layout",
    v1: { rel: rookCluster(`cephClusterSpec:\n  storage:\n    useAllNodes: false\n`) },
    v2: { rel: rookCluster(`cephClusterSpec:\n  storage:\n    useAllNodes: false\n  cleanupPolicy:\n    confirmation: yes-really-destroy-data\n`) },
    refused: [["ceph-storage-layout", 1]],
  },
  {
    id: "retention",
    says: "monitoring retention changed: an everyday values update, passes",
    v1: { rel: release("platform/kube-prometheus-stack/helm/release", { name: "kps", chart: "kube-prometheus-stack", namespace: "monitoring", values: ["prometheus:\n  prometheusSpec:\n    retention: 15d\n"] }) },
    v2: { rel: release("platform/kube-prometheus-stack/helm/release", { name: "kps", chart: "kube-prometheus-stack", namespace: "monitoring", values: ["prometheus:\n  prometheusSpec:\n    retention: 30d\n"] }) },
    refused: [],
  },
  {
    id: "velero_uninstall",
    says: "Velero uninstalled (every backup schedule stops, silently): refused like any stateful release",
    v1: { rel: release("platform/velero/helm/release", { name: "velero", chart: "velero", namespace: "velero", values: ["deployNodeAgent: true\n"] }) },
    v2: {},
    refused: [["stateful-helm-release", 1]],
  },
  {
    id: "velero_schedule",
    says: "Velero's retention changed (schedules' ttl): an everyday values update, passes",
    v1: { rel: release("platform/velero/helm/release", { name: "velero", chart: "velero", namespace: "velero", values: ["schedules:\n  tenants:\n    template:\n      ttl: 72h0m0s\n"] }) },
    v2: { rel: release("platform/velero/helm/release", { name: "velero", chart: "velero", namespace: "velero", values: ["schedules:\n  tenants:\n    template:\n      ttl: 168h0m0s\n"] }) },
    refused: [],
  },
  {
    id: "object_store_uninstall",
    says: "the in-cluster object store release removed (its S3 user and bucket claims go; backups unreachable): refused",
    v1: { rel: release("platform/object-store/helm/release", { name: "object-store", chart: "raw", namespace: "rook-ceph", values: ["resources: []\n"] }) },
    v2: {},
    refused: [["object-store-release", 1]],
  },
  {
    id: "object_store_update",
    says: "the in-cluster object store's gateway resized: a values update, passes",
    v1: { rel: release("platform/object-store/helm/release", { name: "object-store", chart: "raw", namespace: "rook-ceph", values: ["resources:\n  - kind: CephObjectStore\n    spec:\n      gateway:\n        instances: 1\n"] }) },
    v2: { rel: release("platform/object-store/helm/release", { name: "object-store", chart: "raw", namespace: "rook-ceph", values: ["resources:\n  - kind: CephObjectStore\n    spec:\n      gateway:\n        instances: 2\n"] }) },
    refused: [],
  },
  {
    id: "rolling",
    says: "one control-plane VM and one storage VM rebuilt, plus every worker: the rolling procedure, passes",
    v1: { cp: vm("cluster/control-plane/node-1", "prod-control-plane-1", {}, 1), s1: vm("cluster/workers-storage/node-1", "prod-storage-1", { disk: [osDisk, dataDisk] }, 1), w1: vm("cluster/workers-general/node-1", "prod-general-1", {}, 1), w2: vm("cluster/workers-general/node-2", "prod-general-2", {}, 1) },
    v2: { cp: vm("cluster/control-plane/node-1", "prod-control-plane-1", {}, 2), s1: vm("cluster/workers-storage/node-1", "prod-storage-1", { disk: [osDisk, dataDisk] }, 2), w1: vm("cluster/workers-general/node-1", "prod-general-1", {}, 2), w2: vm("cluster/workers-general/node-2", "prod-general-2", {}, 2) },
    refused: [],
  },
];

/** A module with three generic `node[i]` VMs, named by the caller. */
const POOL_MODULE = {
  variable: { names: { type: "list(string)" }, rev: { type: "number" } },
  resource: {
    terraform_data: {
      node: {
        count: "${length(var.names)}",
        input: { name: "${var.names[count.index]}", num_cpus: 4, memory: 8192, disk: [osDisk] },
        triggers_replace: ["${var.rev}"],
      },
    },
  },
};
const cpModule = (rev: number) => ({ module_cp__cp: { source: "./modules/pool", names: ["prod-control-plane-1", "prod-control-plane-2", "prod-control-plane-3"], rev } });

function version(v: 1 | 2) {
  const resources = Object.assign({}, ...ROWS.map((r) => named(r.id, v === 1 ? r.v1 : r.v2)));
  const extra =
    v === 1
      ? { module: cpModule(1) }
      : {
          module: cpModule(2),
          moved: [
            { from: "terraform_data.moved_cp__cluster_control-plane_node-1_0A1B2C3D", to: "terraform_data.moved_cp__legacy_a" },
            { from: "terraform_data.moved_cp__cluster_control-plane_node-2_4E5F6A7B", to: "terraform_data.moved_cp__legacy_b" },
          ],
          removed: [{ from: "terraform_data.ca_forget__ca_key", lifecycle: { destroy: false } }],
        };
  return { resources, extra };
}

/** The row's own entries of the real plan: the ones whose address carries its prefix. */
function slice(plan: PlanJson, id: string): PlanJson {
  const mine = new RegExp(`(^|\\.)${id}__`);
  return { ...plan, resource_changes: (plan.resource_changes ?? []).filter((rc) => mine.test(rc.address)) };
}

describeWithTool("terraform", ["version"])("the gate on a table of real Terraform plans", () => {
  let p: StandInPlan;
  beforeAll(() => {
    p = planStandIns(version(1), version(2), { pool: POOL_MODULE }, { "module.module_cp__cp": { as: VM, path: "node", input: {} } });
  });
  afterAll(() => rmSync(p.dir, { recursive: true, force: true }));

  const report = (id: string, withBase = false) =>
    buildStackReport({ stack: "prod", plan: slice(p.plan, id), synth: p.synth, baseSynth: withBase ? p.baseSynth : undefined });

  it("the stand-in plan is Terraform's: moves, forget, modules and replace paths as the rows need them", () => {
    const raw = p.rawPlan.resource_changes ?? [];
    const entry = (address: string) => raw.find((rc) => rc.address === address);
    expect(entry("terraform_data.moved_cp__legacy_a")).toMatchObject({ previous_address: "terraform_data.moved_cp__cluster_control-plane_node-1_0A1B2C3D", change: { actions: ["delete", "create"] } });
    expect(entry("terraform_data.ca_forget__ca_key")?.change.actions).toEqual(["forget"]);
    expect(entry("module.module_cp__cp.terraform_data.node[2]")?.change.actions).toEqual(["delete", "create"]);
    expect(entry("terraform_data.disk_loss__s1")?.change.actions).toEqual(["update"]);
    expect(entry("terraform_data.admin_renewal__cert")?.change.replace_paths).toEqual([["triggers_replace"]]);
  });

  it.each(ROWS.map((r) => [r.id, r] as const))("%s", (_id, row) => {
    const r = report(row.id);
    expect(r.changes.length).toBeGreaterThan(0); // the row really is in the plan
    expect(r.violations.map((v) => [v.rule.id, v.hits.length])).toEqual(row.refused);
    expect(r.routine.map((n) => n.operation.id)).toEqual(row.routine ?? []);
    expect(r.security.map((n) => n.review.id)).toEqual(row.security ?? []);
  });

  it("the MR note asks for a second reviewer of every RBAC grant, above the changes", () => {
    const md = planMarkdown([report("rbac", true)], { overridden: false });
    expect(md).toMatch(/🔐 \*\*Second reviewer:\*\* `platform\/people\/admin-binding` \*\*update\*\* \(rbac-grants\)/);
    expect(md).toMatch(/🔐 \*\*Second reviewer:\*\* `platform\/people\/viewer-binding` \*\*delete\*\*/);
    expect(md).toMatch(/🔐 \*\*Second reviewer:\*\* `tenants\/team-a\/admin-binding` \*\*create\*\*/);
    expect(md.indexOf("🔐")).toBeLessThan(md.indexOf("<details"));
    expect(md).not.toContain("Plan refused");
  });

  it("says how each change hits a rule: updates that lose a disk or reboot are named as such", () => {
    const how = (id: string) => report(id, true).violations.flatMap((v) => v.hits.map((h) => `${h.how} ${h.change.path}`));
    expect(how("disk_loss")).toContain("update: removes disk disk1 (1024 GiB) cluster/workers-storage/node-1");
    expect(how("reboot_cp")).toContain("update: reboots (guest_id) cluster/control-plane/node-1");
    expect(how("reboot_storage")[0]).toMatch(/^update: reboots \(memory 8192 → 16384 without memory_hot_add_enabled\)/);
    expect(how("ca_forget")).toEqual(["forget cluster/pki/ca-key"]);
    expect(how("module_cp")).toEqual(["replace node[0]", "replace node[1]", "replace node[2]"]);
  });

  it("the MR note carries the routine note, and flags refused updates", () => {
    const md = planMarkdown([report("admin_renewal"), report("disk_loss")], { overridden: false });
    expect(md).toMatch(/ℹ️ Routine, passed: `cluster\/pki\/admin-cert` \*\*replace\*\* \(admin-cert-renewal\)/);
    expect(md).toMatch(/🔥 `~` `cluster\/workers-storage\/node-1`: \*\*update\*\*.*refused by data-disk-loss: update: removes disk disk1/);
  });

  it("the MR note lists a token rotation as routine, every piece of it, and no VM", () => {
    const md = planMarkdown([report("token_rotation")], { overridden: false });
    for (const path of ["cluster/pki/bootstrap-token-rotation", "cluster/pki/bootstrap-token-id", "cluster/pki/bootstrap-token-secret", "cluster/join-token/secret"]) {
      expect(md).toContain(`ℹ️ Routine, passed: \`${path}\` **replace** (join-token-rotation)`);
    }
    expect(md).not.toContain("prod-general-1");
    expect(md).not.toContain("cluster/workers-general/node-1");
  });

  it("the MR note says when an update reboots a VM, also when no rule counts it", () => {
    const md = (id: string) => planMarkdown([report(id)], { overridden: false });
    expect(md("reboot_storage")).toMatch(/`cluster\/workers-storage\/node-1`: \*\*update\*\*; changes `memory`; reboots \(memory 8192 → 16384 without memory_hot_add_enabled\)/);
    expect(md("hot_add_cp")).not.toContain("reboots");
  });

  it("the whole table as one plan: every refusal of every row, nothing else", () => {
    const r = buildStackReport({ stack: "prod", plan: p.plan, synth: p.synth, baseSynth: p.baseSynth });
    const expected = new Map<string, number>();
    for (const row of ROWS) for (const [rule, n] of row.refused) expected.set(rule, (expected.get(rule) ?? 0) + n);
    // Tolerances apply per plan: the single control-plane VM of the rolling and upgrade_roll rows and the
    // rolling row's storage VM now add up.
    expected.set("control-plane-vms", expected.get("control-plane-vms")! + 2);
    expected.set("ceph-data-disk-vms", expected.get("ceph-data-disk-vms")! + 1);
    expect(new Map(r.violations.map((v) => [v.rule.id, v.hits.length]))).toEqual(expected);
  });

  it("odd attribute shapes (a plan's before/after are free-form) never crash the gate or the note", () => {
    const odd: unknown[] = [null, "text", 7, [], [null], { disk: "x", values: [5], metadata: "m", set: [null], chart: 3, name: {} }];
    for (const value of odd) {
      const plan = {
        ...p.plan,
        resource_changes: p.plan.resource_changes!.map((rc) => ({ ...rc, change: { ...rc.change, before: value, after: value, before_sensitive: value, after_sensitive: value, after_unknown: value } })),
      } as PlanJson;
      expect(() => planMarkdown([buildStackReport({ stack: "prod", plan, synth: p.synth, baseSynth: p.baseSynth })], { overridden: false })).not.toThrow();
    }
  });

  it("every type the rows retype to is known to the rules, except the one meant to be unknown", () => {
    const types = new Set(ROWS.flatMap((r) => [...Object.values(r.v1), ...Object.values(r.v2)].map((s) => s.as)));
    expect([...types].filter((t) => !KNOWN_TYPES.has(t)).sort()).toEqual(["kubernetes_config_map_v1", "kubernetes_manifest"]);
  });
});
