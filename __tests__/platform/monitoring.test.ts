import { Probe } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { CEPH_BLOCK_STORAGE_CLASS } from "../../lib/platform/names";
import { environment } from "./fixtures";
import { sensitiveSource, synthPlatform } from "./synth";

const env = environment("prod");
const { releases, json } = synthPlatform(env);
const kps = releases["kube-prometheus-stack"].values as any;
const blackbox = releases["prometheus-blackbox-exporter"].values as any;

describe("PrometheusRules and Probes validate against @kubernetes-models/prometheus-operator", () => {
  const rules = Object.entries<any>(kps.additionalPrometheusRulesMap).map(([name, spec]) => ({
    apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name, namespace: "monitoring" }, spec,
  }));
  it.each(rules.map((r) => [r.metadata.name, r]))("PrometheusRule %s", (_n, rule) => {
    expect(() => new PrometheusRule(rule as any).validate()).not.toThrow();
  });
  it("covers pod restarts, failed probes and unreachable URLs; crash loops stay the chart's own KubePodCrashLooping", () => {
    const alerts = rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.alert)));
    expect(alerts).toEqual(expect.arrayContaining(["PodRestartingOften", "ContainerProbeFailing", "HttpProbeFailed", "TlsCertificateExpiringSoon", "TlsCertificateExpiryImminent"]));
    // No second crash-loop alert on top of the chart's (defaultRules.rules.kubernetesApps, left on).
    const exprs = rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.expr)));
    expect(exprs.filter((e: string) => e.includes("CrashLoopBackOff"))).toEqual([]);
    expect(kps.defaultRules?.rules?.kubernetesApps).not.toBe(false);
  });
  const probes = (blackbox.extraManifests as any[]).filter((m) => m.kind === "Probe");
  it.each(probes.map((p) => [p.metadata.name, p]))("Probe %s", (_n, probe) => {
    expect(() => new Probe(probe as any).validate()).not.toThrow();
  });
  it("probes every URL exposed through ingress", () => {
    const urls = probes.flatMap((p) => p.spec.targets.staticConfig.static);
    for (const app of ["argocd", "grafana", "prometheus", "alertmanager"]) expect(urls).toContain(`https://${app}.${env.platform.domain}/`);
    expect(urls).toContain("https://shop.example.internal/healthz");
    expect(kps.prometheus.prometheusSpec.probeSelectorNilUsesHelmValues).toBe(false);
  });
  it("the model check can fail", () => {
    expect(() => new PrometheusRule({ metadata: { name: "x" }, spec: { groups: [{ rules: [] }] } } as any).validate()).toThrow();
  });
});

describe("kube-prometheus-stack", () => {
  it("stores Prometheus and Alertmanager on the storage class Rook creates, sized from config", () => {
    const pvc = kps.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec;
    expect(pvc.storageClassName).toBe(CEPH_BLOCK_STORAGE_CLASS);
    expect(pvc.resources.requests.storage).toBe("100Gi");
    expect(kps.prometheus.prometheusSpec.retention).toBe("15d");
    expect(kps.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe(CEPH_BLOCK_STORAGE_CLASS);
    const rook = releases["rook-ceph-cluster"].values as any;
    const classes = rook.cephBlockPools.filter((p: any) => p.storageClass?.enabled).map((p: any) => p.storageClass.name);
    expect(classes).toContain(pvc.storageClassName);
  });

  it("scrapes kubeadm's etcd, scheduler and controller-manager at the control-plane IPs", () => {
    const ips = env.controlPlane.ips;
    expect(kps.kubeEtcd).toMatchObject({ endpoints: ips, service: { port: 2381, targetPort: 2381 }, serviceMonitor: { scheme: "http" } });
    expect(kps.kubeScheduler).toMatchObject({ endpoints: ips, service: { port: 10259, targetPort: 10259 }, serviceMonitor: { https: true, insecureSkipVerify: true } });
    expect(kps.kubeControllerManager).toMatchObject({ endpoints: ips, service: { port: 10257, targetPort: 10257 }, serviceMonitor: { https: true } });
  });

  it("Grafana admin password is generated, passed only through set_sensitive and output sensitive", () => {
    const r = releases["kube-prometheus-stack"];
    expect(r.setSensitive.find((s) => s.name === "grafana.adminPassword")?.value).toMatch(/random_password\.[^.]+\.result/);
    expect(json.output.grafana_admin_password.sensitive).toBe(true);
    expect(kps.grafana.ingress).toMatchObject({ enabled: true, ingressClassName: "admin", hosts: [`grafana.${env.platform.domain}`] });
  });

  it("Prometheus stops at 85% of its volume (retentionSize) whatever the time retention says", () => {
    expect(env.platform.monitoring.storageGiB).toBe(100);
    expect(kps.prometheus.prometheusSpec.retentionSize).toBe("85GiB");
    expect(kps.prometheus.prometheusSpec.retentionSize).toMatch(/^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/); // the operator CRD's pattern
  });

  it("Alertmanager receivers from config; every secret part is a sensitive variable via set_sensitive", () => {
    const r = releases["kube-prometheus-stack"];
    const receivers = kps.alertmanager.config.receivers;
    expect(receivers.map((x: any) => x.name)).toEqual(["null", "ops-mail", "ops-teams", "oncall-webhook", "ops-slack"]);
    expect(kps.alertmanager.config.route.receiver).toBe("ops-mail");
    const secrets = Object.fromEntries(r.setSensitive.map((s) => [s.name, sensitiveSource(s.value)]));
    expect(secrets).toMatchObject({
      "alertmanager.config.receivers[2].msteamsv2_configs[0].webhook_url": "var.alertmanager_ops_teams_url",
      "alertmanager.config.receivers[3].webhook_configs[0].url": "var.alertmanager_oncall_webhook_url",
      "alertmanager.config.receivers[4].slack_configs[0].api_url": "var.alertmanager_ops_slack_url",
      "alertmanager.config.global.smtp_auth_password": "var.alertmanager_smtp_password",
    });
    for (const v of ["alertmanager_ops_teams_url", "alertmanager_oncall_webhook_url", "alertmanager_ops_slack_url", "alertmanager_smtp_password"]) {
      expect(json.variable[v]).toMatchObject({ sensitive: true });
    }
    // Each indexed --set path lands on the receiver of that name and type.
    expect(receivers[2].msteamsv2_configs).toHaveLength(1);
    expect(receivers[3].webhook_configs).toHaveLength(1);
    expect(receivers[4].slack_configs[0].channel).toBe("#alerts");
    expect(releases["kube-prometheus-stack"].valuesYaml).not.toMatch(/\$\{var\./);
  });
});
