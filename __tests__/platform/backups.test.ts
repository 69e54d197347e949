import Ajv from "ajv";
import { closedCrdSchema } from "../helpers/crd-schema";
import { readFileSync } from "fs";
import { join } from "path";
import { TIER_RULES } from "../../lib/config/defaults";
import type { EnvironmentConfig } from "../../lib/config/types";
import { parseAllDocuments } from "yaml";
import { deepMerge } from "../../lib/platform/values";
import { NAMESPACE_POD_SECURITY } from "../../lib/platform/namespaces";
import { platformNetworkPolicies, POD_LABELS, POLICY_PORTS } from "../../lib/platform/network-policies";
import { CEPH_OBJECT_STORE, OBJECT_STORE_USER, OBJECT_STORE_USER_KEYS_SECRET } from "../../lib/platform/object-store";
import { PLATFORM_STATE_NAMESPACES, VELERO_AWS_PLUGIN_IMAGE, VELERO_CREDENTIALS_SECRET } from "../../lib/platform/velero";
import { veleroAlertRules } from "../../lib/platform/velero-alert-rules";
import { environment, MIRROR, OBJECT_STORE } from "./fixtures";
import { sensitiveSource, synthPlatform } from "./synth";
import { CHARTS_DIR, upstreamValues, upstreamValuesText } from "./upstream";

const schema = JSON.parse(readFileSync(join(CHARTS_DIR, "velero", "values.schema.json"), "utf8"));
const validateVelero = new Ajv({ strict: false, allErrors: true }).compile(schema);

const TENANTS: EnvironmentConfig["tenants"] = [{ name: "shop" }, { name: "billing", stages: ["dev", "recette"] }];
const withTenants = (env: EnvironmentConfig): EnvironmentConfig => ({ ...env, tenants: TENANTS });

const sandbox = synthPlatform(withTenants(environment("sandbox")));
const prod = synthPlatform(withTenants(environment("prod")));
const prodMirror = synthPlatform(environment("prod", { mirror: true }));
const velero = (s: typeof prod) => s.releases.velero;

describe("Velero", () => {
  it.each([
    ["sandbox", sandbox],
    ["prod", prod],
    ["prod with mirror", prodMirror],
  ])("values (%s), merged over the chart's defaults as Helm does, pass the chart's own values.schema.json", (_label, s) => {
    expect(validateVelero(deepMerge(upstreamValues("velero"), velero(s).values))).toBe(true);
    expect(validateVelero.errors ?? []).toEqual([]);
  });

  it("is the pinned chart in its own Terraform-owned namespace, privileged for the node-agent's hostPath", () => {
    const r = velero(prod);
    expect([r.chart, r.version, r.namespace]).toEqual(["velero", "12.1.0", "velero"]);
    expect(NAMESPACE_POD_SECURITY.velero.level).toBe("privileged");
    // The reason holds in the chart: the node-agent mounts the kubelet's pod directory from the host.
    expect(upstreamValues("velero").nodeAgent).toEqual(expect.objectContaining({ podVolumePath: "/var/lib/kubelet/pods", disableHostPath: false }));
    expect(r.values.deployNodeAgent).toBe(true);
  });

  it("stores to the environment's bucket on the external endpoint (prod), path-style, with the keys from the Secret Terraform writes", () => {
    const v = velero(prod).values as any;
    expect(v.configuration.backupStorageLocation).toEqual([
      expect.objectContaining({ name: "default", provider: "aws", bucket: "prod-velero", default: true, config: { region: "us-east-1", s3ForcePathStyle: "true", s3Url: OBJECT_STORE.endpoint } }),
    ]);
    expect(v.credentials).toEqual({ useSecret: true, existingSecret: VELERO_CREDENTIALS_SECRET });
    const secret = Object.values<any>(prod.json.resource.kubernetes_secret_v1).find((s) => s.metadata.name === VELERO_CREDENTIALS_SECRET);
    expect(secret.metadata.namespace).toBe("velero");
    expect(secret.data.cloud).toBe("[default]\naws_access_key_id=${var.object_store_access_key_id}\naws_secret_access_key=${var.object_store_secret_access_key}\n");
    // No VolumeSnapshotLocation: CSI snapshots need none, and an empty-provider VSL would fail validation in Velero.
    expect([v.snapshotsEnabled, v.configuration.volumeSnapshotLocation]).toEqual([false, []]);
  });

  it("in-cluster (sandbox): stores to https://s3.<domain>, trusts the platform CA through set_sensitive only, after the store exists", () => {
    const r = velero(sandbox);
    const bsl = (r.values as any).configuration.backupStorageLocation[0];
    expect(bsl.bucket).toBe("sandbox-velero");
    expect(bsl.config.s3Url).toBe("https://s3.sandbox.k8s.example.internal");
    expect(bsl.caCert).toBeUndefined();
    expect(r.setSensitive.map((s) => [s.name, sensitiveSource(s.value)])).toEqual([["configuration.backupStorageLocation[0].caCert", "base64encode(var.tls_site_ca_cert_pem)"]]);
    expect(r.dependsOn).toContain(`helm_release.${sandbox.releases["object-store"].address}`);
    const secret = Object.values<any>(sandbox.json.resource.kubernetes_secret_v1).find((s) => s.metadata.name === VELERO_CREDENTIALS_SECRET);
    expect(secret.data.cloud).toMatch(/^\[default\]\naws_access_key_id=\$\{random_password\.object-store_access-key-id_\w+\.result\}\naws_secret_access_key=\$\{random_password\.object-store_secret-access-key_\w+\.result\}\n$/);
  });

  it("pulls the server, the S3 plugin and the CRD job's kubectl through the mirror", () => {
    const v = velero(prodMirror).values as any;
    const base = `${MIRROR.host}/${MIRROR.pathPrefix}`;
    expect(v.image.repository).toBe(`${base}/docker.io/velero/velero`);
    expect(v.kubectl.image.repository).toBe(`${base}/registry.k8s.io/kubectl`);
    expect(v.initContainers.map((c: any) => c.image)).toEqual([`${base}/${VELERO_AWS_PLUGIN_IMAGE}`]);
    // Without a mirror, the upstream defaults the fields stand for (so the mirror holds the right repositories).
    expect((upstreamValues("velero").image as any).repository).toBe("docker.io/velero/velero");
    expect((upstreamValues("velero").kubectl as any).image.repository).toBe("registry.k8s.io/kubectl");
  });

  it("backs up every tenant namespace (with its volumes) and the platform's state, daily, kept per tier", () => {
    for (const [tier, s] of [["sandbox", sandbox], ["prod", prod]] as const) {
      const schedules = (velero(s).values as any).schedules;
      const ttl = `${TIER_RULES[tier].backups.retentionDays * 24}h0m0s`;
      const tenantNamespaces = tier === "prod" ? ["shop", "billing-dev", "billing-recette"] : ["shop-dev", "shop-integration", "shop-recette", "shop-preproduction", "billing-dev", "billing-recette"];
      expect(schedules.tenants.template).toEqual(
        expect.objectContaining({ ttl, includedNamespaces: tenantNamespaces, snapshotVolumes: true, snapshotMoveData: true, storageLocation: "default" }),
      );
      expect(schedules.platform.template).toEqual(expect.objectContaining({ ttl, includedNamespaces: [...PLATFORM_STATE_NAMESPACES], includeClusterResources: true }));
      expect([schedules.tenants.schedule, schedules.platform.schedule]).toEqual(["0 2 * * *", "0 3 * * *"]);
    }
    expect([3, 7, 30]).toEqual(["sandbox", "dev", "prod"].map((t) => TIER_RULES[t as "prod"].backups.retentionDays));
  });

  it("alerts on its schedules: the velero-alerts rules are in kube-prometheus-stack, with or without logs", () => {
    for (const s of [sandbox, prod, synthPlatform({ ...environment("dev"), logs: false })]) {
      const rules = (s.releases["kube-prometheus-stack"].values as any).additionalPrometheusRulesMap["velero-alerts"];
      expect(rules).toEqual(veleroAlertRules());
    }
  });

  it("has no tenants' schedule without tenants: an empty includedNamespaces would back up every namespace", () => {
    expect(Object.keys((velero(prodMirror).values as any).schedules)).toEqual(["platform"]);
  });
});

describe("the in-cluster object store (sandbox/dev without backups.objectStore)", () => {
  const release = sandbox.releases["object-store"];
  const resources = (release?.values as any)?.resources as any[];
  const byKind = (kind: string) => resources.filter((r) => r.kind === kind);

  it("exists only without an external store", () => {
    expect(release).toBeDefined();
    expect(prod.releases["object-store"]).toBeUndefined();
    expect(Object.values<any>(prod.json.resource.kubernetes_secret_v1).map((s) => s.metadata.name)).not.toContain(OBJECT_STORE_USER_KEYS_SECRET);
  });

  it("is a CephObjectStore with the cluster's replication, its pools kept on delete, after the Ceph cluster and the issuer", () => {
    const [store] = byKind("CephObjectStore");
    expect(store.metadata).toEqual({ name: CEPH_OBJECT_STORE, namespace: "rook-ceph" });
    expect(store.spec.dataPool.replicated.size).toBe(1); // the sandbox's RBD pool keeps one copy
    expect(store.spec.preservePoolsOnDelete).toBe(true);
    expect(release.dependsOn).toEqual(expect.arrayContaining([`helm_release.${sandbox.releases["rook-ceph-cluster"].address}`, `helm_release.${sandbox.releases["cluster-issuer"].address}`]));
  });

  it("has one user whose keys are Terraform's (a Secret from the random_password results), owning the three buckets", () => {
    const [user] = byKind("CephObjectStoreUser");
    expect(user.spec.keys).toEqual([
      { accessKeyRef: { name: OBJECT_STORE_USER_KEYS_SECRET, key: "access-key-id" }, secretKeyRef: { name: OBJECT_STORE_USER_KEYS_SECRET, key: "secret-access-key" } },
    ]);
    const secret = Object.values<any>(sandbox.json.resource.kubernetes_secret_v1).find((s) => s.metadata.name === OBJECT_STORE_USER_KEYS_SECRET);
    expect(secret.metadata.namespace).toBe("rook-ceph");
    expect(Object.values<string>(secret.data).every((v) => /^\$\{random_password\.object-store_[\w-]+\.result\}$/.test(v))).toBe(true);
    const claims = byKind("ObjectBucketClaim");
    expect(claims.map((c) => c.spec.bucketName).sort()).toEqual(["sandbox-etcd", "sandbox-loki", "sandbox-velero"]);
    for (const c of claims) expect(c.spec.additionalConfig).toEqual({ bucketOwner: OBJECT_STORE_USER });
    // Rook honours bucketOwner only when the operator allows the field; the claims are in its own namespace.
    const operator = sandbox.releases["rook-ceph"].values as any;
    expect(operator.obcAllowAdditionalConfigFields.split(",")).toEqual(expect.arrayContaining(["bucketOwner", ...String(upstreamValues("rook-ceph").obcAllowAdditionalConfigFields).split(",")]));
    expect(operator.enableOBCWatchOperatorNamespace).toBe(true);
    expect((prod.releases["rook-ceph"].values as any).obcAllowAdditionalConfigFields).toBeUndefined();
  });

  it("keeps buckets when a claim goes (Retain) and serves s3.<domain> on the admin class with a certificate", () => {
    const [sc] = byKind("StorageClass");
    expect([sc.provisioner, sc.reclaimPolicy, sc.parameters.objectStoreName]).toEqual(["rook-ceph.ceph.rook.io/bucket", "Retain", CEPH_OBJECT_STORE]);
    const [ingress] = byKind("Ingress");
    expect(ingress.spec.ingressClassName).toBe("admin");
    expect(ingress.spec.rules[0].host).toBe("s3.sandbox.k8s.example.internal");
    expect(ingress.spec.tls[0].hosts).toEqual(["s3.sandbox.k8s.example.internal"]);
    expect(ingress.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("site-ca");
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(`rook-ceph-rgw-${CEPH_OBJECT_STORE}`);
  });
});

describe("network policies for backups", () => {
  const policies = platformNetworkPolicies({ podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/16", nodeCidr: "10.20.30.0/24" });
  const named = (ns: string, name: string) => policies.find((p) => p.metadata.namespace === ns && p.metadata.name === name);

  it("lets Velero out to the object store (not into the pod or service networks) and Prometheus in", () => {
    expect(named("velero", "to-object-store")!.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.244.0.0/16", "10.96.0.0/16"] } }] }]);
    expect(named("velero", "metrics-from-prometheus")!.spec.ingress![0].ports).toEqual([{ protocol: "TCP", port: POLICY_PORTS.veleroMetrics }]);
    // The chart leaves the address to the server's default, which its values.yaml documents.
    expect(upstreamValuesText("velero")).toContain(`# The address to expose prometheus metrics. Default: :${POLICY_PORTS.veleroMetrics}\n  metricsAddress:\n`);
  });

  it("lets the admin Traefik (s3.<domain>) and Loki (the gateway's Service) reach the RGW gateway pods, on the port they listen on", () => {
    const p = named("rook-ceph", "rgw-from-traefik-admin")!;
    expect(p.spec.podSelector).toEqual({ matchLabels: POD_LABELS.cephRgw });
    expect(p.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik-admin" } }, podSelector: { matchLabels: POD_LABELS.traefik } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
    const loki = named("rook-ceph", "rgw-from-loki")!;
    expect(loki.spec.podSelector).toEqual({ matchLabels: POD_LABELS.cephRgw });
    expect(loki.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "logging" } }, podSelector: { matchLabels: POD_LABELS.loki } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
  });
});

/**
 * Rook's CRDs as the rook-ceph chart installs them (v1.20.6, vendored): every object of the object-store release
 * that is a Rook custom resource must be a served kind of this version, and every field must exist in its schema
 * (objects that list their properties are closed, as strict field validation would: the API server would prune a
 * misspelt field silently). This is what verifies `spec.keys` of CephObjectStoreUser on the pinned Rook.
 */
describe("the object store's custom resources against Rook v1.20.6's CRDs", () => {
  const text = readFileSync(join(CHARTS_DIR, "rook-ceph", "crds", "resources.yaml"), "utf8").split("\n").filter((l) => !l.includes("{{")).join("\n");
  const crds = parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d?.kind === "CustomResourceDefinition");
  /** The served version's schema of `spec` (apiVersion, kind, metadata are the API server's, not every CRD lists them). */
  const specValidator = (crd: any, version?: string) => {
    const served = crd.spec.versions.find((v: any) => v.served && (version === undefined || v.name === version));
    return new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(closedCrdSchema(served.schema.openAPIV3Schema.properties.spec, { dropNullable: true }) as object);
  };
  const resources = (sandbox.releases["object-store"].values as any).resources as any[];
  const custom = resources.filter((r) => r.apiVersion !== "storage.k8s.io/v1" && r.apiVersion !== "networking.k8s.io/v1");

  it.each(custom.map((r) => [`${r.kind} ${r.metadata.name}`, r]))("%s", (_name, obj) => {
    const [group, version] = obj.apiVersion.split("/");
    const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === obj.kind);
    expect(crd).toBeDefined();
    expect(crd.spec.versions.some((v: any) => v.name === version && v.served)).toBe(true);
    const validate = specValidator(crd, version);
    const valid = validate(obj.spec);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(crd.spec.scope).toBe("Namespaced");
  });

  it("the closed schemas catch a misspelt field", () => {
    const user = custom.find((r) => r.kind === "CephObjectStoreUser");
    const crd = crds.find((c) => c.spec.names.kind === "CephObjectStoreUser");
    const validate = specValidator(crd);
    expect(validate(user.spec)).toBe(true);
    expect(validate({ ...user.spec, key: user.spec.keys })).toBe(false);
  });
});
