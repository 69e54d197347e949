import { TIER_RULES } from "./defaults";
import { DNS_SUBDOMAIN, readEnum, readInteger, readObject, readString, type Input } from "./fields";
import { FIELDS } from "./field-lists";
import { parseIpv4 } from "./ipv4";
import { Problems, show } from "./problems";
import type { Tier } from "./types";

/**
 * Cluster logs (`EnvironmentConfig.logs`): Fluent Bit on every node ships container logs and the kubelet and
 * containerd journals to Loki (storage on the object store of `backups`), Grafana reads Loki, and the same
 * records can also go to a site's existing Graylog (GELF) or syslog collector. `false` turns it all off.
 */

/** How records leave for an existing collector: Graylog's GELF inputs, or an RFC 5424 syslog receiver. */
export type LogForwardProtocol = "gelf-tcp" | "gelf-udp" | "syslog-tcp" | "syslog-udp" | "syslog-tls";
export const LOG_FORWARD_PROTOCOLS: readonly LogForwardProtocol[] = ["gelf-tcp", "gelf-udp", "syslog-tcp", "syslog-udp", "syslog-tls"];

/** An existing log collector every record is also sent to (the tool the site uses today). */
export interface LogForwardConfig {
  readonly protocol: LogForwardProtocol;
  /** DNS name or IPv4 address of the collector, e.g. "graylog.example.internal". */
  readonly host: string;
  /** e.g. 12201 (Graylog GELF), 514 (syslog), 6514 (syslog over TLS). */
  readonly port: number;
  /**
   * PEM CA bundle that signed the collector's certificate (syslog-tls only).
   * @default the system trust store of the Fluent Bit image
   */
  readonly caPem?: string;
}

export interface LogsSettingsConfig {
  /**
   * Days Loki keeps logs (its compactor deletes older chunks from the object store).
   * @default the tier's: sandbox 3, dev 7, prod 30
   */
  readonly retentionDays?: number;
  /**
   * Also send every record to an existing Graylog or syslog collector.
   * @default no forwarding
   */
  readonly forward?: LogForwardConfig;
}

/** `false`: no log collection at all (no Fluent Bit, no Loki). */
export type LogsConfig = LogsSettingsConfig | false;

/** What the constructs read: the resolved logs settings, or undefined when logs are off. */
export interface LogsSettings {
  readonly retentionDays: number;
  readonly forward?: LogForwardConfig;
}

export function logsSettings(env: { readonly tier: Tier; readonly logs?: LogsConfig }): LogsSettings | undefined {
  if (env.logs === false) return undefined;
  return { retentionDays: env.logs?.retentionDays ?? TIER_RULES[env.tier].logRetentionDays, forward: env.logs?.forward };
}

/** Longest retention accepted: Loki keeps index tables per day, and beyond ten years it is a typo. */
const MAX_RETENTION_DAYS = 3650;

/** Checks `env.logs` (untyped input, inside validateEnvironment). */
export function validateLogs(env: Input, root: string, problems: Problems): void {
  const path = `${root}.logs`;
  if (env.logs === undefined || env.logs === false) return;
  const logs = readObject(problems, env.logs, path, FIELDS.logs);
  if (!logs) return;
  // Loki's compactor deletes per index period (24h): whole days only, at least one.
  readInteger(problems, logs, "retentionDays", path, { min: 1, max: MAX_RETENTION_DAYS, required: false, why: "Loki deletes whole days" });
  if (logs.forward === undefined) return;
  const fpath = `${path}.forward`;
  const forward = readObject(problems, logs.forward, fpath, FIELDS.logForward);
  if (!forward) return;
  const protocol = readEnum(problems, forward, "protocol", fpath, LOG_FORWARD_PROTOCOLS);
  const host = readString(problems, forward, "host", fpath);
  if (host !== undefined && parseIpv4(host) === undefined && (/^[\d.]+$/.test(host) || !DNS_SUBDOMAIN.test(host))) {
    problems.add(`${fpath}.host`, `${show(host)} is neither an IPv4 address nor a DNS name; give the collector's host only (no scheme or port), e.g. "graylog.example.internal"`);
  }
  readInteger(problems, forward, "port", fpath, { min: 1, max: 65535 });
  const ca = readString(problems, forward, "caPem", fpath, false);
  if (ca !== undefined) {
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) problems.add(`${fpath}.caPem`, "must be a PEM certificate (-----BEGIN CERTIFICATE-----...)");
    else if (protocol !== undefined && protocol !== "syslog-tls") problems.add(`${fpath}.caPem`, `is only used with protocol "syslog-tls" (${show(protocol)} is not encrypted): remove it or use "syslog-tls"`);
  }
}
