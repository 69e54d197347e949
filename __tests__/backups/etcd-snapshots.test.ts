import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BOOTSTRAP_SCRIPT_PATH } from "../../lib/cluster/bootstrap-script";
import { ETCD_SNAPSHOT_PATHS, ETCD_SNAPSHOT_SCRIPT_PATH, ETCD_SNAPSHOT_TIMER, etcdSnapshotCalendar } from "../../lib/backups/etcd-snapshot";
import { etcdSnapshotSettings } from "../../lib/config/backups";
import { allNodes } from "../../lib/config/pool-nodes";
import type { EnvironmentConfig } from "../../lib/config/types";
import { validateEnvironment } from "../../lib/config/validate";
import { environmentWarnings } from "../../lib/config/warnings";
import { renderCloudConfig } from "../../lib/cluster/cloud-config";
import { OBJECT_STORE_KEY_PLACEHOLDERS, placeholderSecrets, SITE_CA_CERT_PLACEHOLDER } from "../../lib/cluster/secrets";
import { SITE_CA_VARIABLES } from "../../lib/platform/platform-ca";
import { NODE_EXPORTER_CHART_ARGS } from "../../lib/platform/kube-prometheus-stack";
import { prodLike, sandboxLike } from "../cluster/fixtures";
import { ACME_CA, acmeTls } from "../platform/fixtures";
import { synthCluster } from "../cluster/synth-helpers";

type WriteFile = { path: string; content: string; encoding?: string; permissions: string };
const rendered = (env: EnvironmentConfig, name: string) => {
  const node = allNodes(env).find((n) => n.name === name)!;
  return parse(renderCloudConfig(env, node, placeholderSecrets()).replace(/^#cloud-config\n/, "")) as { write_files: WriteFile[]; runcmd: string[][] };
};
const file = (doc: { write_files: WriteFile[] }, path: string) => doc.write_files.find((f) => f.path === path);
const problemsOf = (env: unknown): string => {
  try {
    validateEnvironment(env);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("backups.etcdSnapshots: schedule per tier", () => {
  test("tier defaults: prod hourly for 7 days, dev every 6 h for 3 days, sandbox daily for 2 days; false turns them off", () => {
    const of = (tier: "prod" | "dev" | "sandbox") => etcdSnapshotSettings({ ...sandboxLike, tier });
    expect([of("prod"), of("dev"), of("sandbox")].map((s) => [s?.intervalHours, s?.retentionDays])).toEqual([[1, 7], [6, 3], [24, 2]]);
    expect(etcdSnapshotSettings({ ...prodLike, backups: { ...prodLike.backups, etcdSnapshots: { retentionDays: 30 } } })).toMatchObject({ intervalHours: 1, retentionDays: 30, bucket: "prod-etcd", keyPrefix: "prod/" });
    expect(etcdSnapshotSettings({ ...sandboxLike, backups: { etcdSnapshots: false } })).toBeUndefined();
  });

  test("bad values: one line each naming the field, the value and the fix", () => {
    const msg = problemsOf({ ...sandboxLike, backups: { etcdSnapshots: { intervalHours: 5, retentionDays: 0, keep: 3 } } });
    expect(msg).toContain("sandbox.backups.etcdSnapshots.intervalHours: 5 does not divide the day; use one of 1, 2, 3, 4, 6, 8, 12, 24");
    expect(msg).toContain("sandbox.backups.etcdSnapshots.retentionDays: 0 is below the minimum of 1");
    expect(msg).toContain("sandbox.backups.etcdSnapshots.keep: unknown field");
  });

  test("off on prod is legal, with a warning", () => {
    const env = validateEnvironment({ ...prodLike, backups: { ...prodLike.backups, etcdSnapshots: false } });
    expect(environmentWarnings(env).join("\n")).toContain("prod.backups.etcdSnapshots is false");
    expect(environmentWarnings(validateEnvironment(prodLike)).join("\n")).not.toContain("etcdSnapshots");
  });

  test("the timer fires at the same wall-clock times on every node", () => {
    expect(etcdSnapshotCalendar(1)).toBe("*-*-* 00/1:07:00");
    expect(etcdSnapshotCalendar(6)).toBe("*-*-* 00/6:07:00");
    expect(etcdSnapshotCalendar(24)).toBe("*-*-* 00:07:00");
  });
});

describe("etcd snapshots on the nodes", () => {
  const cp = rendered(prodLike, "prod-control-plane-1");
  const worker = rendered(prodLike, allNodes(prodLike).find((n) => n.role === "worker")!.name);

  test("control-plane nodes: script, service, hourly timer enabled before the bootstrap (which stays last), S3 keys as root-only secret files", () => {
    expect(file(cp, ETCD_SNAPSHOT_SCRIPT_PATH)?.permissions).toBe("0755");
    expect(file(cp, ETCD_SNAPSHOT_PATHS.timer)?.content).toContain("OnCalendar=*-*-* 00/1:07:00");
    expect(file(cp, ETCD_SNAPSHOT_PATHS.service)?.content).toContain("ConditionPathExists=/etc/kubernetes/manifests/etcd.yaml");
    expect(cp.runcmd.slice(-2)).toEqual([["systemctl", "enable", "--now", ETCD_SNAPSHOT_TIMER], [BOOTSTRAP_SCRIPT_PATH]]);
    expect(file(cp, ETCD_SNAPSHOT_PATHS.accessKeyId)).toEqual({ path: ETCD_SNAPSHOT_PATHS.accessKeyId, content: OBJECT_STORE_KEY_PLACEHOLDERS.accessKeyId, encoding: "b64", permissions: "0600", owner: "root:root" });
    expect(file(cp, ETCD_SNAPSHOT_PATHS.secretAccessKey)).toMatchObject({ content: OBJECT_STORE_KEY_PLACEHOLDERS.secretAccessKey, permissions: "0600" });
    const env = file(cp, ETCD_SNAPSHOT_PATHS.env)!;
    expect(env.permissions).toBe("0600");
    expect(env.content).toContain("S3_BUCKET='prod-etcd'");
    expect(env.content).toContain("KEY_PREFIX='prod/'");
    expect(env.content).toContain("RETENTION_DAYS='7'");
    expect(env.content).toContain(`ETCD_ENDPOINT='https://${prodLike.controlPlane.ips[0]}:2379'`);
  });

  test("workers: no S3 keys, no snapshot timer, but the textfile collector's directory", () => {
    expect(worker.write_files.filter((f) => f.path.startsWith("/etc/kubernetes/etcd-snapshot"))).toEqual([]);
    expect(worker.runcmd.flat()).not.toContain(ETCD_SNAPSHOT_TIMER);
    expect(file(worker, "/var/lib/node_exporter/textfile_collector/README")).toBeDefined();
  });

  test("snapshots off: no timer and no keys; a restore still gets the keys and the script", () => {
    const off = { ...sandboxLike, backups: { etcdSnapshots: false } } as const;
    const doc = rendered(off, "sandbox-control-plane-1");
    expect(file(doc, ETCD_SNAPSHOT_PATHS.timer)).toBeUndefined();
    expect(file(doc, ETCD_SNAPSHOT_PATHS.secretAccessKey)).toBeUndefined();
    const restoring = validateEnvironment({
      ...off,
      controlPlane: { ...sandboxLike.controlPlane, nodeRevisions: { "sandbox-control-plane-1": 2 }, restoreFromSnapshot: { snapshot: "sandbox/20260101T030700Z-sandbox-control-plane-1.db", atRevision: 2 } },
    });
    const r = rendered(restoring, "sandbox-control-plane-1");
    expect(file(r, ETCD_SNAPSHOT_PATHS.secretAccessKey)).toBeDefined();
    expect(file(r, ETCD_SNAPSHOT_PATHS.timer)).toBeUndefined();
    expect(file(r, "/etc/kubernetes/bootstrap/bootstrap.env")?.content).toContain("MODE='init'\n");
    expect(file(r, "/etc/kubernetes/bootstrap/bootstrap.env")?.content).toContain("RESTORE_SNAPSHOT='sandbox/20260101T030700Z-sandbox-control-plane-1.db'");
  });
});

describe("the object store's CA on the control-plane nodes (S3_CA_FILE)", () => {
  const STORE_CA = "-----BEGIN CERTIFICATE-----\nMIIBstoreTestCa\n-----END CERTIFICATE-----\n";
  const caFileOf = (env: EnvironmentConfig, name: string) => file(rendered(validateEnvironment(env), name), ETCD_SNAPSHOT_PATHS.caFile);
  const caEnvOf = (env: EnvironmentConfig, name: string) => /^S3_CA_FILE='(.*)'$/m.exec(file(rendered(validateEnvironment(env), name), ETCD_SNAPSHOT_PATHS.env)!.content)?.[1];
  const sandboxWorker = allNodes(sandboxLike).find((n) => n.role === "worker")!.name;

  test("in-cluster store, issuer ca (sandbox/dev default): the site CA through its secret placeholder, on control-plane nodes only", () => {
    expect(caFileOf(sandboxLike, "sandbox-control-plane-1")).toEqual({ path: ETCD_SNAPSHOT_PATHS.caFile, content: SITE_CA_CERT_PLACEHOLDER, encoding: "b64", permissions: "0644", owner: "root:root" });
    expect(caEnvOf(sandboxLike, "sandbox-control-plane-1")).toBe(ETCD_SNAPSHOT_PATHS.caFile);
    expect(caFileOf(sandboxLike, sandboxWorker)).toBeUndefined();
  });

  test("external store: its caPem as is, or no CA file at all (prod unchanged)", () => {
    const withCa = { ...prodLike, backups: { objectStore: { ...prodLike.backups!.objectStore!, caPem: STORE_CA } } };
    expect(caFileOf(withCa, "prod-control-plane-1")).toMatchObject({ content: STORE_CA, permissions: "0644" });
    expect(caFileOf(withCa, "prod-control-plane-1")?.encoding).toBeUndefined();
    expect(caEnvOf(withCa, "prod-control-plane-1")).toBe(ETCD_SNAPSHOT_PATHS.caFile);
    expect(caFileOf(prodLike, "prod-control-plane-1")).toBeUndefined();
    expect(caEnvOf(prodLike, "prod-control-plane-1")).toBe("");
  });

  test("in-cluster store, issuer acme: platform.tls.caPem when configured, else the system trust store", () => {
    const acme = (caPem?: string) => ({ ...sandboxLike, platform: { ...sandboxLike.platform, ...acmeTls(caPem) } }) as EnvironmentConfig;
    expect(caFileOf(acme(ACME_CA), "sandbox-control-plane-1")).toMatchObject({ content: ACME_CA });
    expect(caEnvOf(acme(ACME_CA), "sandbox-control-plane-1")).toBe(ETCD_SNAPSHOT_PATHS.caFile);
    expect(caFileOf(acme(), "sandbox-control-plane-1")).toBeUndefined();
    expect(caEnvOf(acme(), "sandbox-control-plane-1")).toBe("");
  });

  test("in Terraform: sandbox control-plane user-data reads the site CA variable (base64), workers and rendered files never", () => {
    const sandbox = synthCluster(sandboxLike);
    const vms = Object.values<any>(sandbox.json.resource.vsphere_virtual_machine);
    const reads = (vm: any) => vm.extra_config["guestinfo.userdata"].includes(`base64encode(var.${SITE_CA_VARIABLES.cert})`);
    expect(vms.filter(reads).map((vm) => vm.name)).toEqual(["sandbox-control-plane-1"]);
    expect(vms.length).toBeGreaterThan(1);
    expect(sandbox.json.variable[SITE_CA_VARIABLES.cert]).toEqual({ description: "PEM certificate of the site CA that signs the platform's TLS certificates", sensitive: true, type: "string" });
    for (const text of sandbox.cluster.renderedCloudConfigs.values()) expect(text).not.toMatch(/var\.tls_site_ca/);
    // prod's store is external: nothing of the site CA reaches its nodes.
    expect(synthCluster(prodLike).text).not.toContain(`base64encode(var.${SITE_CA_VARIABLES.cert})`);
  });
});

describe("controlPlane.restoreFromSnapshot", () => {
  const first = "prod-control-plane-1";
  const withRestore = (restore: unknown, revision = 3) => ({ ...prodLike, controlPlane: { ...prodLike.controlPlane, nodeRevisions: { [first]: revision }, restoreFromSnapshot: restore } });

  test("valid only for the build of the first node at atRevision", () => {
    expect(problemsOf(withRestore({ snapshot: "prod/20260101T030700Z-prod-control-plane-2.db", atRevision: 3 }))).toBe("");
    expect(problemsOf(withRestore({ snapshot: "prod/x.db", atRevision: 3 }, 2))).toContain(
      `prod.controlPlane.restoreFromSnapshot.atRevision: 3 but ${first} is at revision 2; the restore applies only to the build at that revision: set nodeRevisions["${first}"] to 3`,
    );
  });

  test("a key with quotes or spaces, a missing key, both restore and reinitialize: clear errors", () => {
    expect(problemsOf(withRestore({ snapshot: "prod/it's here.db", atRevision: 3 }))).toContain("prod.controlPlane.restoreFromSnapshot.snapshot: \"prod/it's here.db\" is not an object key");
    expect(problemsOf(withRestore({ atRevision: 3 }))).toContain("prod.controlPlane.restoreFromSnapshot.snapshot: is required");
    const both = { ...withRestore({ snapshot: "prod/a.db", atRevision: 3 }) };
    expect(problemsOf({ ...both, controlPlane: { ...both.controlPlane, reinitializeAtRevision: 3 } })).toContain("3 is also reinitializeAtRevision");
  });

  test("the other control-plane nodes and later builds join: only that build restores", () => {
    const env = validateEnvironment(withRestore({ snapshot: "prod/a.db", atRevision: 3 }));
    expect(file(rendered(env, first), "/etc/kubernetes/bootstrap/bootstrap.env")?.content).toContain("RESTORE_SNAPSHOT='prod/a.db'");
    expect(file(rendered(env, "prod-control-plane-2"), "/etc/kubernetes/bootstrap/bootstrap.env")?.content).toContain("MODE='join'");
    expect(file(rendered(env, "prod-control-plane-2"), "/etc/kubernetes/bootstrap/bootstrap.env")?.content).not.toContain("RESTORE_SNAPSHOT");
  });
});

describe("the S3 keys in Terraform", () => {
  test("user-data references the sensitive variables, never a key in clear; rendered files keep placeholders", () => {
    const prod = synthCluster(prodLike);
    expect(prod.text).toContain("base64encode(var.object_store_secret_access_key)");
    expect(prod.json.variable.object_store_secret_access_key).toMatchObject({ sensitive: true });
    for (const text of prod.cluster.renderedCloudConfigs.values()) expect(text).not.toMatch(/base64encode\(var\./);
    expect([...prod.cluster.renderedCloudConfigs.values()].filter((t) => t.includes(OBJECT_STORE_KEY_PLACEHOLDERS.secretAccessKey))).toHaveLength(prodLike.controlPlane.count);
  });
});

describe("node-exporter's textfile collector", () => {
  test("the chart's own extraArgs are repeated exactly (setting the list replaces them)", () => {
    const values = parse(readFileSync(join(__dirname, "../reference/charts/kube-prometheus-stack/values.yaml"), "utf8")) as { "prometheus-node-exporter": { extraArgs: string[] } };
    expect([...NODE_EXPORTER_CHART_ARGS]).toEqual(values["prometheus-node-exporter"].extraArgs);
  });
});
