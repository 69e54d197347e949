import { alertmanagerRoute } from "../../lib/platform/kube-prometheus-stack";
import type { MonitoringConfig } from "../../lib/config/platform";
import { environment } from "./fixtures";
import { synthPlatform } from "./synth";

type Labels = Record<string, string>;
interface Route { receiver?: string; matchers?: string[]; continue?: boolean; routes?: Route[] }

/** Alertmanager's matcher semantics (=, !=, =~, !~; regexes anchored), enough to route test alerts. */
function matches(matcher: string, labels: Labels): boolean {
  const m = /^\s*(\w+)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(matcher);
  if (!m) throw new Error(`unparsable matcher ${matcher}`);
  const [, name, op, value] = m;
  const actual = labels[name] ?? "";
  const re = new RegExp(`^(?:${value})$`);
  return op === "=" ? actual === value : op === "!=" ? actual !== value : op === "=~" ? re.test(actual) : !re.test(actual);
}

/** The receivers Alertmanager notifies for an alert: depth-first, first match wins unless `continue`. */
function route(node: Route, labels: Labels, inherited = "null"): string[] {
  const receiver = node.receiver ?? inherited;
  const hits: string[] = [];
  for (const child of node.routes ?? []) {
    if (!(child.matchers ?? []).every((m) => matches(m, labels))) continue;
    hits.push(...route(child, labels, receiver));
    if (!child.continue) return hits;
  }
  return hits.length > 0 ? hits : [receiver];
}

describe("Alertmanager routing (rendered config)", () => {
  const env = environment("prod");
  const am = (synthPlatform(env).releases["kube-prometheus-stack"].values as any).alertmanager.config;

  it.each([
    [{ alertname: "KubePodCrashLooping", severity: "warning", namespace: "default" }, ["ops-slack", "ops-mail"]],
    [{ alertname: "HttpProbeFailed", severity: "critical", namespace: "monitoring" }, ["ops-teams", "ops-slack", "ops-mail"]],
    [{ alertname: "KubeDeploymentReplicasMismatch", severity: "critical", namespace: "shop-prod" }, ["ops-teams", "oncall-webhook", "ops-slack", "ops-mail"]],
    [{ alertname: "InfoInhibitor", severity: "info", namespace: "default" }, ["ops-mail"]],
    [{ alertname: "Watchdog", severity: "none" }, ["null"]],
  ])("%j goes to %j", (labels, expected) => {
    expect(route(am.route, labels)).toEqual(expected);
  });

  it("reaches every configured receiver with some alert, and names only receivers that exist", () => {
    const defined = new Set(am.receivers.map((r: { name: string }) => r.name));
    const routed = (r: Route): string[] => [r.receiver ?? "", ...(r.routes ?? []).flatMap(routed)].filter(Boolean);
    for (const name of routed(am.route)) expect(defined).toContain(name);
    for (const receiver of env.platform.monitoring.receivers ?? []) expect(routed(am.route)).toContain(receiver.name);
  });

  it("sends everything to the default receiver when no receiver has matchers, and Watchdog nowhere", () => {
    const monitoring: MonitoringConfig = { retention: "1d", storageGiB: 1, receivers: [{ name: "a", type: "webhook" }] };
    const tree = alertmanagerRoute(monitoring) as Route;
    expect(route(tree, { alertname: "X", severity: "critical" })).toEqual(["a"]);
    expect(route(tree, { alertname: "Watchdog" })).toEqual(["null"]);
    expect(alertmanagerRoute({ retention: "1d", storageGiB: 1 })).toEqual({ receiver: "null", routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] });
  });

  it("honours defaultReceiver over the first receiver", () => {
    const tree = alertmanagerRoute({ retention: "1d", storageGiB: 1, defaultReceiver: "b", receivers: [{ name: "a", type: "webhook", matchers: ['team="x"'] }, { name: "b", type: "webhook" }] }) as Route;
    expect(route(tree, { alertname: "X" })).toEqual(["b"]);
    expect(route(tree, { alertname: "X", team: "x" })).toEqual(["a", "b"]);
  });
});
