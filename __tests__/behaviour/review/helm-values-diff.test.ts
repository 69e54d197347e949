/**
 * What reviewers read for a helm_release update: the key-level values change (what `helm diff
 * upgrade` showed), from a REAL plan's before/after (terraform_data stand-ins retyped to helm_release).
 * Secrets (set_sensitive, anything the plan marks sensitive) are named, never shown.
 */
import { rmSync } from "fs";
import { describeWithTool } from "../../tools";
import { buildStackReport, type StackPlanReport } from "../../../lib/review/plan-report";
import { planMarkdown } from "../../../lib/review/plan-markdown";
import { planStandIns, type StandIn, type StandInPlan } from "../../review/stand-in-plan";

const OLD_SECRET = "grafana-Old-9d1c";
const NEW_SECRET = "grafana-New-47aa";

const base = "prometheus:\n  prometheusSpec:\n    retention: 15d\n    retentionSize: 50GB\ngrafana:\n  replicas: 1\n";
const template = (line: string) => `{{ define "slack.title" }}\n[{{ .Status }}] {{ .CommonLabels.alertname }}\n${line}\n{{ end }}\n`;
const targets = (n: number) => Array.from({ length: n }, (_, i) => `blackbox-${i}.example.internal:443`);
const env = (v: 1 | 2) =>
  [
    "prometheus:",
    "  prometheusSpec:",
    `    retention: ${v === 1 ? "15d" : "30d"}`,
    "alertmanager:",
    "  templateFiles:",
    "    slack.tmpl: |",
    ...template(v === 1 ? "{{ .CommonAnnotations.summary }}" : "{{ .CommonAnnotations.description }}").trimEnd().split("\n").map((l) => `      ${l}`),
    "blackbox:",
    "  targets:",
    ...targets(v === 1 ? 6 : 7).map((t) => `    - ${t}`),
  ].join("\n") + "\n";

const kps = (v: 1 | 2): StandIn => ({
  as: "helm_release",
  path: "platform/kube-prometheus-stack/helm/release",
  input: {
    name: "kube-prometheus-stack",
    chart: "kube-prometheus-stack",
    namespace: "monitoring",
    values: [base, env(v)],
    set: [{ name: "grafana.replicas", value: v === 1 ? "1" : "2", type: "string" }],
    set_sensitive: [{ name: "grafana.adminPassword", value: "${var.grafana_password}", type: "string" }],
  },
});
/** Values built from a sensitive variable: Terraform marks the whole document sensitive. */
const argo = (): StandIn => ({
  as: "helm_release",
  path: "platform/argo-cd/helm/release",
  input: { name: "argo-cd", chart: "argo-cd", namespace: "argocd", values: ["configs:\n  secret:\n    extra: ${var.grafana_password}\n"] },
});

describeWithTool("terraform", ["version"])("Helm values diff in the MR note", () => {
  let p: StandInPlan;
  let report: StackPlanReport;
  let md: string;
  beforeAll(() => {
    const version = (v: 1 | 2) => ({
      resources: { kps: kps(v), argo: argo() },
      extra: { variable: { grafana_password: { type: "string", sensitive: true, default: v === 1 ? OLD_SECRET : NEW_SECRET } } },
    });
    p = planStandIns(version(1), version(2));
    report = buildStackReport({ stack: "prod", plan: p.plan, synth: p.synth });
    md = planMarkdown([report], { overridden: false });
  });
  afterAll(() => rmSync(p.dir, { recursive: true, force: true }));

  const diffOf = (path: string) => report.valuesDiffs.find((d) => d.change.path === path)!.values;

  it("shows each changed key with its old and new value, values documents merged in order", () => {
    expect(diffOf("platform/kube-prometheus-stack/helm/release")).toContainEqual({ key: "prometheus.prometheusSpec.retention", kind: "scalar", from: "15d", to: "30d" });
    expect(md).toContain("- `prometheus.prometheusSpec.retention`: `15d` → `30d`");
    expect(md).toContain("- `set[grafana.replicas]`: `1` → `2`");
    expect(md).not.toContain("retentionSize"); // unchanged keys are not news
  });

  it("diffs multi-line strings and long lists line by line", () => {
    const keys = diffOf("platform/kube-prometheus-stack/helm/release").map((v) => `${v.key}:${v.kind}`);
    expect(keys).toEqual(
      expect.arrayContaining(["alertmanager.templateFiles[\"slack.tmpl\"]:lines", "blackbox.targets:lines", "set_sensitive[grafana.adminPassword]:sensitive"]),
    );
    expect(md).toMatch(/```diff\n(.*\n)*- \{\{ \.CommonAnnotations\.summary \}\}\n\+ \{\{ \.CommonAnnotations\.description \}\}\n/);
    expect(md).toMatch(/  - blackbox-5\.example\.internal:443\n\+ - blackbox-6\.example\.internal:443\n```/);
  });

  it("names secrets without showing them: set_sensitive, and values the plan marks sensitive", () => {
    expect(md).toContain("- `set_sensitive[grafana.adminPassword]`: (sensitive) changed");
    expect(diffOf("platform/argo-cd/helm/release")).toEqual([{ key: "values", kind: "sensitive" }]);
    expect(md).toContain("- `values`: (sensitive) changed");
    expect(md).not.toContain(OLD_SECRET);
    expect(md).not.toContain(NEW_SECRET);
  });

  it("stays readable for a big plan: a stack with many changes starts collapsed, a small one open", () => {
    expect(md).toContain("<details open><summary>2 changes");
    const entries = p.plan.resource_changes!;
    const big = { ...p.plan, resource_changes: Array.from({ length: 1000 }, (_, i) => ({ ...entries[i % 2], address: `helm_release.r${i}`, name: `r${i}` })) };
    const bigMd = planMarkdown([buildStackReport({ stack: "prod", plan: big, synth: p.synth })], { overridden: false });
    expect(bigMd).toContain("<details><summary>1000 changes");
    expect(bigMd).toContain("<details><summary>Helm values: 1000 release(s)");
  });
});
