import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { FLUENT_BIT_OUTPUTS, JOURNAL_UNITS } from "../../lib/platform/fluent-bit";
import { IN_CLUSTER_OBJECT_STORE_SERVICE, LOKI_S3_SECRET } from "../../lib/platform/loki";
import { deepMerge } from "../../lib/platform/values";
import { environment, OBJECT_STORE } from "./fixtures";
import { synthPlatform } from "./synth";
import { CHARTS_DIR, upstreamValues } from "./upstream";

/** Loki's values.schema.json: draft-07, but named by an https $schema URL Ajv does not know (its own is http): dropped. */
const { $schema: _draft07, ...lokiSchemaJson } = JSON.parse(readFileSync(join(CHARTS_DIR, "loki", "values.schema.json"), "utf8"));
const lokiSchema = new Ajv({ strict: false, allErrors: true }).compile(lokiSchemaJson);
const CA = "-----BEGIN CERTIFICATE-----\nMIIBlogCollectorCa\n-----END CERTIFICATE-----\n";

const sandbox = synthPlatform(environment("sandbox"));
const prod = synthPlatform(environment("prod"));

/** Fluent Bit's classic config: `[SECTION]` blocks of `Key Value` lines. */
function sections(text: string): { name: string; entries: [string, string][] }[] {
  return text.split(/^(?=\[)/m).filter((s) => s.trim()).map((block) => {
    const [head, ...lines] = block.trim().split("\n");
    return { name: head.replace(/[[\]]/g, ""), entries: lines.map((l) => l.trim().split(/\s+(.*)/s).slice(0, 2) as [string, string]) };
  });
}
const get = (s: { entries: [string, string][] }, key: string) => s.entries.filter(([k]) => k === key).map(([, v]) => v);
const outputs = (r: typeof sandbox) => sections((r.releases["fluent-bit"].values as any).config.outputs);

describe("Loki", () => {
  it("sandbox: one single binary with its volume on Ceph, replication 1, 3 days", () => {
    const v = sandbox.releases.loki.values as any;
    expect(v.deploymentMode).toBe("SingleBinary");
    expect([v.singleBinary.replicas, v.write.replicas, v.read.replicas, v.backend.replicas]).toEqual([1, 0, 0, 0]);
    expect(v.singleBinary.persistence).toEqual({ enabled: true, storageClass: "ceph-block", size: "10Gi" });
    expect(v.loki.commonConfig.replication_factor).toBe(1);
    expect(v.loki.limits_config.retention_period).toBe("72h");
  });

  it("prod: simple scalable, 3 write/read/backend, replication 3, 30 days", () => {
    const v = prod.releases.loki.values as any;
    expect(v.deploymentMode).toBe("SimpleScalable");
    expect([v.singleBinary.replicas, v.write.replicas, v.read.replicas, v.backend.replicas]).toEqual([0, 3, 3, 3]);
    expect(v.loki.commonConfig.replication_factor).toBe(3);
    expect(v.loki.limits_config.retention_period).toBe("720h");
  });

  it("schema v13 on TSDB, one tenant, retention by the compactor; gateway, caches, canary, minio off", () => {
    const v = prod.releases.loki.values as any;
    expect(v.loki.schemaConfig.configs).toEqual([{ from: "2024-04-01", store: "tsdb", object_store: "s3", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }]);
    expect(v.loki.auth_enabled).toBe(false);
    expect(v.loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: "s3" });
    expect([v.gateway.enabled, v.chunksCache.enabled, v.resultsCache.enabled, v.lokiCanary.enabled, v.test.enabled, v.minio.enabled]).toEqual([false, false, false, false, false, false]);
    expect(v.monitoring.serviceMonitor).toEqual({ enabled: true, metricsInstance: { enabled: false } });
  });

  it("object store: the external endpoint on prod, the in-cluster RGW Service on sandbox; bucket <prefix>-loki", () => {
    expect((prod.releases.loki.values as any).loki.storage).toMatchObject({
      type: "s3",
      bucketNames: { chunks: "prod-loki", ruler: "prod-loki", admin: "prod-loki" },
      s3: { endpoint: new URL(OBJECT_STORE.endpoint).host, insecure: false, s3ForcePathStyle: true, region: "us-east-1" },
    });
    const s = IN_CLUSTER_OBJECT_STORE_SERVICE;
    expect((sandbox.releases.loki.values as any).loki.storage.s3).toMatchObject({ endpoint: `${s.name}.rook-ceph.svc:${s.port}`, insecure: true });
  });

  it("S3 keys only through the Secret Terraform writes, expanded by Loki from its environment", () => {
    for (const r of [sandbox, prod]) {
      const v = r.releases.loki.values as any;
      // Terraform turns "$${" into a literal "${" (what Loki's -config.expand-env reads).
      expect(v.loki.storage.s3).toMatchObject({ accessKeyId: "$${AWS_ACCESS_KEY_ID}", secretAccessKey: "$${AWS_SECRET_ACCESS_KEY}" });
      expect(v.global).toMatchObject({ extraArgs: ["-config.expand-env=true"], extraEnvFrom: [{ secretRef: { name: LOKI_S3_SECRET } }] });
      const secret = Object.values<any>(r.json.resource.kubernetes_secret_v1).find((x) => x.metadata.name === LOKI_S3_SECRET);
      expect(Object.keys(secret.data).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
      expect(secret.metadata.namespace).toBe("logging");
    }
  });

  it("the object store's CA, when given, is mounted and named in http_config", () => {
    const r = synthPlatform({ ...environment("prod"), backups: { objectStore: { ...OBJECT_STORE, caPem: CA } } });
    const v = r.releases.loki.values as any;
    expect(v.loki.storage.s3.http_config).toEqual({ ca_file: "/etc/loki/object-store-ca/ca.crt" });
    expect(v.extraObjects[0]).toMatchObject({ kind: "ConfigMap", metadata: { name: "loki-object-store-ca" }, data: { "ca.crt": CA } });
    expect(v.global.extraVolumeMounts).toEqual([{ name: "object-store-ca", mountPath: "/etc/loki/object-store-ca", readOnly: true }]);
  });

  it.each([["sandbox", sandbox], ["prod", prod]])("%s values (chart defaults + ours) pass the chart's values.schema.json", (_l, r) => {
    const ok = lokiSchema(deepMerge(upstreamValues("loki"), r.releases.loki.values));
    expect(lokiSchema.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("installs after its namespace, kube-prometheus-stack (ServiceMonitor CRD) and the Ceph cluster; Fluent Bit after Loki", () => {
    const dep = (name: string) => prod.releases[name].dependsOn.join(" ");
    expect(dep("loki")).toMatch(/kubernetes_namespace_v1\.platform_namespaces_logging/);
    expect(dep("loki")).toMatch(/kube-prometheus-stack_helm_release/);
    expect(dep("loki")).toMatch(/rook-ceph-cluster_helm_release/);
    expect(dep("loki")).toMatch(/api-ready/);
    expect(dep("fluent-bit")).toMatch(/platform_loki_helm_release/);
    expect(prod.releases.loki.namespace).toBe("logging");
    expect(prod.releases["fluent-bit"].namespace).toBe("logging");
  });
});

describe("Fluent Bit", () => {
  it("on every node (tolerates every taint), node-critical", () => {
    const v = prod.releases["fluent-bit"].values as any;
    expect(v.tolerations).toEqual([{ operator: "Exists" }]);
    expect(v.priorityClassName).toBe("system-node-critical");
    expect(v.serviceMonitor.enabled).toBe(true);
  });

  it("tails CRI container logs and the kubelet/containerd journal, enriched by the kubernetes filter", () => {
    const cfg = (prod.releases["fluent-bit"].values as any).config;
    const [tail, journal] = sections(cfg.inputs);
    expect([get(tail, "Name"), get(tail, "Path"), get(tail, "multiline.parser")]).toEqual([["tail"], ["/var/log/containers/*.log"], ["cri"]]);
    expect(get(journal, "Systemd_Filter")).toEqual(JOURNAL_UNITS.map((u) => `_SYSTEMD_UNIT=${u}`));
    expect(sections(cfg.filters).map((f) => get(f, "Name")[0])).toEqual(["kubernetes", "modify", "modify"]);
  });

  it("pushes to Loki's write path (prod) or the single binary (sandbox), with stream labels", () => {
    const loki = (r: typeof sandbox) => outputs(r).filter((o) => get(o, "Name")[0] === "loki");
    expect(loki(prod).map((o) => [get(o, "Alias")[0], get(o, "Host")[0], get(o, "Port")[0]])).toEqual([
      [FLUENT_BIT_OUTPUTS.containers, "loki-write.logging.svc", "3100"],
      [FLUENT_BIT_OUTPUTS.journal, "loki-write.logging.svc", "3100"],
    ]);
    expect(loki(sandbox).map((o) => get(o, "Host")[0])).toEqual(["loki.logging.svc", "loki.logging.svc"]);
    expect(get(loki(prod)[0], "Labels")[0]).toContain("namespace=$kubernetes['namespace_name']");
    expect(get(loki(prod)[1], "Labels")[0]).toContain("unit=$SYSTEMD_UNIT");
  });

  it("no forward output without logs.forward", () => {
    expect(outputs(prod).map((o) => get(o, "Alias")[0])).toEqual([FLUENT_BIT_OUTPUTS.containers, FLUENT_BIT_OUTPUTS.journal]);
  });

  it.each([
    ["gelf-udp", 12201, { Name: "gelf", Mode: "udp", Gelf_Short_Message_Key: "log", Compress: "true" }],
    ["gelf-tcp", 12201, { Name: "gelf", Mode: "tcp", Gelf_Short_Message_Key: "log" }],
    ["syslog-udp", 514, { Name: "syslog", Mode: "udp", Syslog_Format: "rfc5424", Syslog_Message_Key: "log" }],
    ["syslog-tls", 6514, { Name: "syslog", Mode: "tls", tls: "On", "tls.verify": "On", "tls.ca_file": "/fluent-bit/etc/conf/forward-ca.crt" }],
  ] as const)("forwards every record with %s", (protocol, port, expected) => {
    const forward = { protocol, host: "collector.example.internal", port, ...(protocol === "syslog-tls" ? { caPem: CA } : {}) };
    const r = synthPlatform({ ...environment("prod"), logs: { forward } });
    const out = outputs(r).find((o) => get(o, "Alias")[0] === FLUENT_BIT_OUTPUTS.forward)!;
    expect(Object.fromEntries(out.entries)).toMatchObject({ ...expected, Match: "*", Host: "collector.example.internal", Port: String(port) });
    if (protocol === "syslog-tls") expect((r.releases["fluent-bit"].values as any).config.extraFiles).toEqual({ "forward-ca.crt": CA });
    // Its NetworkPolicy opens exactly that port and protocol to outside the cluster.
    const policy = Object.values<any>(r.json.resource.kubernetes_network_policy_v1).find((p) => p.metadata.name === "fluent-bit-to-log-collector");
    expect(policy.spec.egress[0].ports).toEqual([{ protocol: protocol.endsWith("udp") ? "UDP" : "TCP", port: String(port) }]);
  });
});

describe("logs: false", () => {
  const off = synthPlatform({ ...environment("prod"), logs: false });
  it("installs neither Loki nor Fluent Bit, and Grafana and Prometheus get no Loki data source or log alerts", () => {
    expect(Object.keys(off.releases)).not.toContain("loki");
    expect(Object.keys(off.releases)).not.toContain("fluent-bit");
    const kps = off.releases["kube-prometheus-stack"].values as any;
    expect(kps.grafana.additionalDataSources).toBeUndefined();
    expect(Object.keys(kps.additionalPrometheusRulesMap)).not.toContain("log-pipeline-alerts");
  });
});

describe("Grafana and Prometheus", () => {
  it("Loki is a Grafana data source (the read path) and the log-pipeline alerts are loaded", () => {
    const kps = prod.releases["kube-prometheus-stack"].values as any;
    expect(kps.grafana.additionalDataSources).toEqual([
      { name: "Loki", type: "loki", uid: "loki", access: "proxy", url: "http://loki-read.logging.svc:3100", jsonData: { maxLines: 1000 } },
    ]);
    expect((sandbox.releases["kube-prometheus-stack"].values as any).grafana.additionalDataSources[0].url).toBe("http://loki.logging.svc:3100");
    expect(kps.additionalPrometheusRulesMap["log-pipeline-alerts"].groups[0].rules.map((r: any) => r.alert)).toContain("FluentBitDroppingRecords");
  });

  it("the values YAML keeps the escaped placeholders Terraform turns into Loki's ${...}", () => {
    expect(parse(prod.releases.loki.valuesYaml).loki.storage.s3.accessKeyId).toBe("$${AWS_ACCESS_KEY_ID}");
  });
});
