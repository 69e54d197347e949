import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { LogForwardConfig, LogsSettings } from "../config/logs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { HelmAddon } from "./helm-addon";
import { NAMESPACE } from "./names";
import { addonOverrides, type PlatformContext } from "./platform-context";

/** Helm release of the node log collector. */
export const FLUENT_BIT_RELEASE = "fluent-bit";
/** Fluent Bit's HTTP server (chart `metricsPort`): health and the Prometheus metrics the ServiceMonitor scrapes. */
export const FLUENT_BIT_METRICS_PORT = 2020;

/**
 * Output aliases: Fluent Bit's metrics label each output with `name="<alias>"`, and the log-pipeline alerts
 * (log-alert-rules.ts) name them in their descriptions.
 */
export const FLUENT_BIT_OUTPUTS = { containers: "loki-containers", journal: "loki-journal", forward: "forward" } as const;

/** Units whose journal is shipped: the node agents whose logs explain most node and pod failures. */
export const JOURNAL_UNITS = ["kubelet.service", "containerd.service"] as const;

/** Where the forward CA lands: the chart mounts `extraFiles` into /fluent-bit/etc/conf. */
const FORWARD_CA_FILE = "forward-ca.crt";

/** On the node, under the hostPath /var/log the chart mounts: tail positions and the filesystem buffer survive restarts. */
const STATE_DIR = "/var/log/fluent-bit";

export const FLUENT_BIT_IMAGES: readonly ImageField[] = [
  { kind: "ref", path: "image.repository", upstream: "cr.fluentbit.io/fluent/fluent-bit" },
  // Docker Hub short names in values.yaml (busybox is docker.io/library/busybox).
  { kind: "ref", path: "testFramework.image.repository", upstream: "docker.io/library/busybox" },
  { kind: "ref", path: "hotReload.image.repository", upstream: "ghcr.io/jimmidyson/configmap-reload" },
];

/** One classic-mode section: `[NAME]` and its `Key Value` lines (what fluent-bit.conf is made of). */
function section(name: string, entries: readonly (readonly [string, string | number])[]): string {
  return [`[${name}]`, ...entries.map(([k, v]) => `    ${k} ${v}`)].join("\n") + "\n";
}

/** Retries before a chunk is dropped (and counted in fluentbit_output_dropped_records_total): about an hour of backoff. */
const RETRY_LIMIT = 10;
/** Disk a node gives each output's backlog while its destination is down. */
const BUFFER_LIMIT = "1G";

function lokiOutput(alias: string, match: string, host: string, port: number, labels: string): string {
  return section("OUTPUT", [
    ["Name", "loki"],
    ["Alias", alias],
    ["Match", match],
    ["Host", host],
    ["Port", port],
    ["Labels", labels],
    ["Line_Format", "json"],
    ["Retry_Limit", RETRY_LIMIT],
    ["storage.total_limit_size", BUFFER_LIMIT],
  ]);
}

/** The optional output to the site's existing collector; every record carries `log` (message) and `node_name`. */
export function forwardOutput(forward: LogForwardConfig): string {
  const [kind, mode] = forward.protocol.split("-") as ["gelf" | "syslog", "tcp" | "udp" | "tls"];
  const common: [string, string | number][] = [
    ["Name", kind],
    ["Alias", FLUENT_BIT_OUTPUTS.forward],
    ["Match", "*"],
    ["Host", forward.host],
    ["Port", forward.port],
    ["Mode", mode],
  ];
  const specific: [string, string | number][] =
    kind === "gelf"
      ? [["Gelf_Short_Message_Key", "log"], ["Gelf_Host_Key", "node_name"], ...(mode === "udp" ? ([["Compress", "true"]] as [string, string][]) : [])]
      : [
          ["Syslog_Format", "rfc5424"],
          ["Syslog_MaxSize", 2048],
          ["Syslog_Message_Key", "log"],
          ["Syslog_Hostname_Key", "node_name"],
          ...(mode === "tls"
            ? ([["tls", "On"], ["tls.verify", "On"], ...(forward.caPem !== undefined ? [["tls.ca_file", `/fluent-bit/etc/conf/${FORWARD_CA_FILE}`]] : [])] as [string, string][])
            : []),
        ];
  return section("OUTPUT", [...common, ...specific, ["Retry_Limit", RETRY_LIMIT], ["storage.total_limit_size", BUFFER_LIMIT]]);
}

/** The Fluent Bit values that depend on the environment (tests read them back and run the config through fluent-bit --dry-run). */
export function fluentBitValues(context: PlatformContext, logs: LogsSettings, lokiPushUrl: string): Record<string, unknown> {
  const loki = new URL(lokiPushUrl);
  const port = Number(loki.port);
  const cluster = `cluster=${context.environment}`;
  return {
    config: {
      service: section("SERVICE", [
        ["Daemon", "Off"],
        ["Flush", 1],
        ["Log_Level", "info"],
        ["Parsers_File", "/fluent-bit/etc/parsers.conf"],
        ["Parsers_File", "/fluent-bit/etc/conf/custom_parsers.conf"],
        ["HTTP_Server", "On"],
        ["HTTP_Listen", "0.0.0.0"],
        ["HTTP_Port", FLUENT_BIT_METRICS_PORT],
        ["Health_Check", "On"],
        // Chunks wait on the node's disk while Loki (or the collector) is down, instead of filling memory.
        ["storage.path", `${STATE_DIR}/buffer`],
        ["storage.sync", "normal"],
        ["storage.backlog.mem_limit", "5M"],
        ["storage.metrics", "On"],
      ]),
      inputs: [
        section("INPUT", [
          ["Name", "tail"],
          ["Path", "/var/log/containers/*.log"],
          // containerd writes the CRI log format; partial lines are joined again.
          ["multiline.parser", "cri"],
          ["Tag", "kube.*"],
          ["DB", `${STATE_DIR}/containers.db`],
          ["Mem_Buf_Limit", "5MB"],
          ["Skip_Long_Lines", "On"],
          ["storage.type", "filesystem"],
        ]),
        section("INPUT", [
          ["Name", "systemd"],
          ["Tag", "host.*"],
          ["Path", "/var/log/journal"],
          ...JOURNAL_UNITS.map((u): [string, string] => ["Systemd_Filter", `_SYSTEMD_UNIT=${u}`]),
          ["Read_From_Tail", "On"],
          ["Strip_Underscores", "On"],
          ["DB", `${STATE_DIR}/journal.db`],
          ["storage.type", "filesystem"],
        ]),
      ].join("\n"),
      filters: [
        section("FILTER", [
          ["Name", "kubernetes"],
          ["Match", "kube.*"],
          ["Merge_Log", "On"],
          // Keep `log` even when it was JSON and merged: the forward outputs send it as the message.
          ["Keep_Log", "On"],
          ["K8S-Logging.Parser", "On"],
          ["K8S-Logging.Exclude", "On"],
        ]),
        // The journal's message under the same key as container lines.
        section("FILTER", [["Name", "modify"], ["Match", "host.*"], ["Rename", "MESSAGE log"]]),
        // NODE_NAME comes from the pod's env (spec.nodeName); "$${" is Terraform's escape for Fluent Bit's "${".
        section("FILTER", [["Name", "modify"], ["Match", "*"], ["Add", "node_name $${NODE_NAME}"]]),
      ].join("\n"),
      outputs: [
        lokiOutput(
          FLUENT_BIT_OUTPUTS.containers,
          "kube.*",
          loki.hostname,
          port,
          `job=fluent-bit, ${cluster}, node=$node_name, namespace=$kubernetes['namespace_name'], pod=$kubernetes['pod_name'], container=$kubernetes['container_name']`,
        ),
        lokiOutput(FLUENT_BIT_OUTPUTS.journal, "host.*", loki.hostname, port, `job=systemd-journal, ${cluster}, node=$node_name, unit=$SYSTEMD_UNIT`),
        ...(logs.forward ? [forwardOutput(logs.forward)] : []),
      ].join("\n"),
      ...(logs.forward?.caPem !== undefined ? { extraFiles: { [FORWARD_CA_FILE]: logs.forward.caPem } } : {}),
    },
    env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
    // Every node, control plane and tainted pools included: a node whose logs are missing is the one you need.
    tolerations: [{ operator: "Exists" }],
    priorityClassName: "system-node-critical",
    // /var/log only (containers, pods, the journal and our state dir) and the machine id the journal is filed under;
    // the chart's /var/lib/docker/containers does not exist on containerd nodes.
    daemonSetVolumes: [
      { name: "varlog", hostPath: { path: "/var/log" } },
      { name: "etcmachineid", hostPath: { path: "/etc/machine-id", type: "File" } },
    ],
    daemonSetVolumeMounts: [
      { name: "varlog", mountPath: "/var/log" },
      { name: "etcmachineid", mountPath: "/etc/machine-id", readOnly: true },
    ],
    serviceMonitor: { enabled: true },
    testFramework: { enabled: false },
  };
}

export interface FluentBitProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  readonly logs: LogsSettings;
  /** Loki's push URL (`lokiServices(context).push`). */
  readonly lokiPushUrl: string;
  /** The pod network, the logging namespace (and its NetworkPolicies), kube-prometheus-stack (ServiceMonitor CRD) and Loki. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * Fluent Bit (fluent/fluent-bit chart) as a DaemonSet on every node: container logs (/var/log/containers, CRI
 * format) enriched by the kubernetes filter, and the kubelet and containerd journals, to Loki; optionally the same
 * records to the site's Graylog (GELF) or syslog collector. Backlogs wait on the node's disk; metrics are scraped
 * for the log-pipeline alerts. Stateless (positions and buffer are on the nodes): its changes are routine.
 */
export class FluentBit extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: FluentBitProps) {
    super(scope, id);
    const { context } = props;
    this.addon = new HelmAddon(this, "helm", {
      releaseName: FLUENT_BIT_RELEASE,
      chart: CHARTS.fluentBit,
      namespace: NAMESPACE.logging,
      mirror: context.mirror,
      defaults: {},
      environment: fluentBitValues(context, props.logs, props.lokiPushUrl),
      images: FLUENT_BIT_IMAGES,
      overrides: addonOverrides(context, "fluent-bit"),
      // A DaemonSet rolls node by node.
      timeoutSeconds: 600,
      dependsOn: props.dependsOn,
    });
  }
}
