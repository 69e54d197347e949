import { logsSettings } from "../../lib/config/logs";
import { validateEnvironment } from "../../lib/config/validate";
import { prodCopy, sandboxCopy } from "../helpers/environments";
import { problemsOf } from "../helpers/problems";

describe("logs", () => {
  it("defaults: on, retention per tier, no forwarding; false turns logs off", () => {
    expect(logsSettings(validateEnvironment(sandboxCopy()))).toEqual({ retentionDays: 3, forward: undefined });
    expect(logsSettings(validateEnvironment(prodCopy()))).toEqual({ retentionDays: 30, forward: undefined });
    expect(logsSettings({ tier: "dev" })).toEqual({ retentionDays: 7, forward: undefined });
    expect(logsSettings(validateEnvironment({ ...prodCopy(), logs: false }))).toBeUndefined();
  });

  it("takes a retention and a forward target", () => {
    const forward = { protocol: "syslog-tls", host: "syslog.example.internal", port: 6514, caPem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n" };
    const env = validateEnvironment({ ...prodCopy(), logs: { retentionDays: 90, forward } });
    expect(logsSettings(env)).toEqual({ retentionDays: 90, forward });
  });

  it.each([
    [{ retentionDays: 0 }, "prod.logs.retentionDays: 0 is below the minimum of 1 (Loki deletes whole days); raise it to at least 1"],
    [{ retentionDays: 1.5 }, "prod.logs.retentionDays: 1.5 must be a whole number"],
    [{ retention: "30d" }, "prod.logs.retention: unknown field (typo?); known fields here: retentionDays, forward"],
    [{ forward: { protocol: "gelf", host: "graylog.example.internal", port: 12201 } }, 'prod.logs.forward.protocol: "gelf" is not one of gelf-tcp, gelf-udp, syslog-tcp, syslog-udp, syslog-tls'],
    [
      { forward: { protocol: "gelf-udp", host: "udp://graylog.example.internal:12201", port: 12201 } },
      'prod.logs.forward.host: "udp://graylog.example.internal:12201" is neither an IPv4 address nor a DNS name; give the collector\'s host only (no scheme or port), e.g. "graylog.example.internal"',
    ],
    [
      { forward: { protocol: "syslog-udp", host: "10.0.0.300", port: 514 } },
      'prod.logs.forward.host: "10.0.0.300" is neither an IPv4 address nor a DNS name; give the collector\'s host only (no scheme or port), e.g. "graylog.example.internal"',
    ],
    [{ forward: { protocol: "syslog-tcp", host: "10.0.0.5", port: 70000 } }, "prod.logs.forward.port: 70000 is above the maximum of 65535; lower it to at most 65535"],
    [{ forward: { protocol: "syslog-tcp", host: "10.0.0.5" } }, "prod.logs.forward.port: is required (a whole number >= 1)"],
    [
      { forward: { protocol: "syslog-tcp", host: "10.0.0.5", port: 514, caPem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n" } },
      'prod.logs.forward.caPem: is only used with protocol "syslog-tls" ("syslog-tcp" is not encrypted): remove it or use "syslog-tls"',
    ],
    [{ forward: { protocol: "syslog-tls", host: "10.0.0.5", port: 6514, caPem: "nope" } }, "prod.logs.forward.caPem: must be a PEM certificate (-----BEGIN CERTIFICATE-----...)"],
    [true, "prod.logs: true must be an object"],
  ])("rejects %j with one precise problem", (logs, expected) => {
    expect(problemsOf({ ...prodCopy(), logs })).toEqual([expected]);
  });
});
