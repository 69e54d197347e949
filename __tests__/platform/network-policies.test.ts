import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { API_SERVER_PORT } from "../../lib/config/defaults";
import { PLATFORM_RELEASE_NAMESPACES } from "../../lib/platform/namespaces";
import { apiServiceAddress, platformNetworkPolicies, POD_LABELS, POLICY_PORTS, type NetworkPolicyObject } from "../../lib/platform/network-policies";
import { deepMerge } from "../../lib/platform/values";
import { environment } from "./fixtures";
import { fromSynth, mayConnect, type Endpoint } from "./network-policy-model";
import { synthPlatform, type SynthResult } from "./synth";
import { RELEASE_CHART_DIR, upstreamValues } from "./upstream";

const prod = synthPlatform(environment("prod"));
const policiesOf = (s: SynthResult): NetworkPolicyObject[] => Object.values<Record<string, any>>(s.json.resource.kubernetes_network_policy_v1 ?? {}).map(fromSynth);
const policies = policiesOf(prod);
const env = environment("prod");
const networks = { podCidr: env.kubernetes.podCidr, serviceCidr: env.kubernetes.serviceCidr, nodeCidr: env.network.cidr };

describe("NetworkPolicies of the platform namespaces (as synthesized)", () => {
  it("each one converts back to a NetworkPolicy that validates against the Kubernetes schema (kubernetes-models)", () => {
    expect(policies.length).toBeGreaterThan(PLATFORM_RELEASE_NAMESPACES.length * 3);
    for (const p of policies) expect(() => new NetworkPolicy(p as any).validate()).not.toThrow();
  });

  it("the provider resources say exactly what platformNetworkPolicies() says (nothing lost in the conversion)", () => {
    const key = (p: NetworkPolicyObject) => `${p.metadata.namespace}/${p.metadata.name}`;
    const sort = (list: NetworkPolicyObject[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(policies)).toEqual(sort(JSON.parse(JSON.stringify(platformNetworkPolicies(networks)))));
  });

  it("the schema check can fail: a wrong policy type is refused", () => {
    const bad = { ...policies[0], spec: { ...policies[0].spec, policyTypes: ["Inbound"] } };
    expect(() => new NetworkPolicy(bad as any).validate()).toThrow(/policyTypes/);
  });

  it.each([...PLATFORM_RELEASE_NAMESPACES])("%s: deny-all both ways for every pod, then same-namespace, DNS and the API server", (ns) => {
    const mine = policies.filter((p) => p.metadata.namespace === ns);
    expect(new Set(mine.map((p) => p.metadata.name)).size).toBe(mine.length);
    expect(mine.find((p) => p.metadata.name === "default-deny")!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(mine.map((p) => p.metadata.name)).toEqual(expect.arrayContaining(["same-namespace", "dns-and-api-server"]));
  });

  it("each release depends on its namespace's policies; each policy on its namespace", () => {
    const resources = prod.json.resource.kubernetes_network_policy_v1 as Record<string, any>;
    const namespaceAddress = (ns: string) =>
      `kubernetes_namespace_v1.${Object.entries<any>(prod.json.resource.kubernetes_namespace_v1).find(([, r]) => r.metadata.name === ns)![0]}`;
    for (const r of Object.values(resources)) expect(r.depends_on).toEqual([namespaceAddress(r.metadata.namespace)]);
    for (const release of Object.values(prod.releases)) {
      const own = Object.entries(resources).filter(([, r]) => r.metadata.namespace === release.namespace).map(([a]) => `kubernetes_network_policy_v1.${a}`);
      expect(release.dependsOn).toEqual(expect.arrayContaining(own));
    }
  });

  it("switched off (security.networkPolicies: false): no policy, releases depend only on their namespace", () => {
    const off = synthPlatform({ ...environment("dev"), security: { networkPolicies: false } });
    expect(off.json.resource.kubernetes_network_policy_v1).toBeUndefined();
    expect(off.json.resource.kubernetes_namespace_v1).toBeDefined();
    for (const r of Object.values(off.releases)) expect(r.dependsOn.some((d) => d.startsWith("kubernetes_network_policy_v1."))).toBe(false);
  });
});

describe("the addresses in ipBlocks come from config (one source of truth)", () => {
  const blocks = (list: NetworkPolicyObject[]) =>
    new Set(list.flatMap((p) => [...(p.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(p.spec.egress ?? []).flatMap((r) => r.to ?? [])]).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr, ...(peer.ipBlock.except ?? [])] : [])));

  it("the fixture: pod CIDR, node network, the kubernetes Service address, the service CIDR, and 0.0.0.0/0 only", () => {
    expect([...blocks(policies)].sort()).toEqual(["0.0.0.0/0", "10.20.30.0/24", "10.244.0.0/16", "10.96.0.0/16", "10.96.0.1/32"]);
  });

  it("other networks in config, other ipBlocks", () => {
    const base = environment("dev");
    const moved = synthPlatform({ ...base, kubernetes: { ...base.kubernetes, podCidr: "172.16.0.0/16", serviceCidr: "172.17.16.0/20" } });
    expect([...blocks(policiesOf(moved))].sort()).toEqual(["0.0.0.0/0", "10.20.30.0/24", "172.16.0.0/16", "172.17.16.0/20", "172.17.16.1/32"]);
    expect(apiServiceAddress("172.17.16.0/20")).toBe("172.17.16.1");
  });
});

/** The policy matrix (README "Namespaces, Pod Security and NetworkPolicies"), asked of the synthesized policies. */
describe("who may talk to whom", () => {
  let next = 10;
  const pod = (namespace: string, labels: Record<string, string> = {}): Endpoint => ({ namespace, labels, ip: `10.244.7.${next++}` });
  const adminTraefik = pod("traefik-admin", POD_LABELS.traefik);
  const publicTraefik = pod("traefik-public", POD_LABELS.traefik);
  const prometheus = pod("monitoring", POD_LABELS.prometheus);
  const grafana = pod("monitoring", POD_LABELS.grafana);
  const alertmanager = pod("monitoring", POD_LABELS.alertmanager);
  const blackbox = pod("monitoring", POD_LABELS.blackboxExporter);
  const kubeStateMetrics = pod("monitoring", { "app.kubernetes.io/name": "kube-state-metrics" });
  const argocdServer = pod("argocd", POD_LABELS.argocdServer);
  const repoServer = pod("argocd", POD_LABELS.argocdRepoServer);
  const appController = pod("argocd", { "app.kubernetes.io/name": "argocd-application-controller" });
  const certManager = pod("cert-manager", POD_LABELS.certManagerController);
  const webhook = pod("cert-manager", POD_LABELS.certManagerWebhook);
  const cephMon = pod("rook-ceph", { app: "rook-ceph-mon" });
  const cephOsd = pod("rook-ceph", { app: "rook-ceph-osd" });
  const cephMgr = pod("rook-ceph", { app: "rook-ceph-mgr" });
  const app = pod("shop", { app: "shop" });
  const kyvernoAdmission = pod("kyverno", { ...POD_LABELS.kyvernoWebhooks, "app.kubernetes.io/component": "admission-controller" });
  const coreDns = pod("kube-system", POD_LABELS.coreDns);
  const controlPlaneNode: Endpoint = { ip: "10.20.30.11" };
  const workerNode: Endpoint = { ip: "10.20.30.41" };
  const client: Endpoint = { ip: "192.0.2.10" };
  const gitServer: Endpoint = { ip: "10.1.2.3" };
  const apiService: Endpoint = { ip: "10.96.0.1" };
  // Validation keeps the kube-vip VIP inside the node network: components that use it (Calico) are covered.
  const apiVip: Endpoint = { ip: env.kubernetes.apiVip };

  it.each<[string, Endpoint, Endpoint, number, boolean]>([
    // [what, from, to, port, allowed]
    ["a client on the entry points of either Traefik", client, publicTraefik, 8443, true],
    ["a client on admin Traefik's web entry point", client, adminTraefik, 8000, true],
    ["a client on Traefik's internal port (dashboard/ping)", client, adminTraefik, 8080, false],
    ["public Traefik to an application backend", publicTraefik, app, 8080, true],
    ["admin Traefik to Grafana", adminTraefik, grafana, POLICY_PORTS.grafana, true],
    ["admin Traefik to Prometheus", adminTraefik, prometheus, POLICY_PORTS.prometheus, true],
    ["admin Traefik to Alertmanager", adminTraefik, alertmanager, POLICY_PORTS.alertmanager, true],
    ["admin Traefik to argocd-server", adminTraefik, argocdServer, POLICY_PORTS.argocdServer, true],
    ["PUBLIC Traefik to Grafana", publicTraefik, grafana, POLICY_PORTS.grafana, false],
    ["PUBLIC Traefik to argocd-server", publicTraefik, argocdServer, POLICY_PORTS.argocdServer, false],
    ["an application to Grafana", app, grafana, POLICY_PORTS.grafana, false],
    ["an application to the Argo CD repo server", app, repoServer, 8081, false],
    ["admin Traefik to the repo server (not a UI)", adminTraefik, repoServer, 8081, false],
    ["Prometheus to Traefik's metrics", prometheus, publicTraefik, POLICY_PORTS.traefikMetrics, true],
    ["Prometheus to Argo CD's server metrics", prometheus, argocdServer, 8083, true],
    ["Prometheus to cert-manager's metrics", prometheus, certManager, POLICY_PORTS.certManagerMetrics, true],
    ["Prometheus to ceph-mgr's metrics", prometheus, cephMgr, POLICY_PORTS.cephMgrMetrics, true],
    ["Prometheus to a kubelet", prometheus, workerNode, 10250, true],
    ["Prometheus to an application's metrics", prometheus, app, 9000, true],
    ["Grafana to Prometheus (same namespace)", grafana, prometheus, POLICY_PORTS.prometheus, true],
    ["Grafana to an application pod", grafana, app, 8080, false],
    // "Outside" keeps the node network: the site load balancer and the services behind it may live there.
    ["Grafana to an address in the node network", grafana, workerNode, 443, true],
    ["the API server to cert-manager's webhook", controlPlaneNode, webhook, POLICY_PORTS.certManagerWebhook, true],
    ["the API server to the prometheus-operator webhook", controlPlaneNode, kubeStateMetrics, POLICY_PORTS.prometheusOperatorWebhook, true],
    ["a client outside to cert-manager's webhook", client, webhook, POLICY_PORTS.certManagerWebhook, false],
    ["the API server to Kyverno's admission webhook", controlPlaneNode, kyvernoAdmission, POLICY_PORTS.kyvernoWebhook, true],
    ["a client outside to Kyverno's admission webhook", client, kyvernoAdmission, POLICY_PORTS.kyvernoWebhook, false],
    ["Prometheus to Kyverno's metrics", prometheus, kyvernoAdmission, POLICY_PORTS.kyvernoMetrics, true],
    ["Kyverno to the API server (its PDB lookups, policy reports)", kyvernoAdmission, controlPlaneNode, API_SERVER_PORT, true],
    ["a node's RBD client to a Ceph mon", workerNode, cephMon, 3300, true],
    ["a node's RBD client to an OSD", workerNode, cephOsd, 6810, true],
    ["an OSD to a mon (same namespace)", cephOsd, cephMon, 6789, true],
    ["an application straight to an OSD outside Ceph's ports", app, cephOsd, 22, false],
    ["the repo server to Git outside the cluster", repoServer, gitServer, 443, true],
    ["argocd-server to the OIDC issuer", argocdServer, gitServer, 443, true],
    ["Grafana to the OIDC issuer", grafana, gitServer, 443, true],
    ["Alertmanager to the SMTP relay", alertmanager, gitServer, 587, true],
    ["the blackbox exporter to a probed URL", blackbox, client, 443, true],
    ["cert-manager to the ACME server", certManager, gitServer, 443, true],
    ["the application controller to the internet", appController, client, 443, false],
    ["cert-manager's webhook to the internet", webhook, client, 443, false],
    ["kube-state-metrics to an application pod", kubeStateMetrics, app, 8080, false],
    ["the repo server to an application pod (outside excludes the pod CIDR)", repoServer, app, 8080, false],
    ["any platform pod to the kubernetes Service", appController, apiService, 443, true],
    ["any platform pod to the API server endpoints after DNAT", kubeStateMetrics, controlPlaneNode, API_SERVER_PORT, true],
    ["any platform pod to the API VIP", certManager, apiVip, API_SERVER_PORT, true],
    ["a platform pod to a node's SSH", kubeStateMetrics, controlPlaneNode, 22, false],
    ["cert-manager to CoreDNS (UDP)", certManager, coreDns, 53, true],
  ])("%s", (_what, from, to, port, allowed) => {
    expect(mayConnect(policies, from, to, port)).toBe(allowed);
  });

  it("DNS over UDP to CoreDNS, but not to any other kube-system pod", () => {
    expect(mayConnect(policies, argocdServer, coreDns, 53, "UDP")).toBe(true);
    expect(mayConnect(policies, argocdServer, pod("kube-system", { component: "etcd" }), 53, "UDP")).toBe(false);
  });
});

/** Every port a policy opens into a component is one its chart (vendored values + ours) listens on. */
describe("policy ports match the charts", () => {
  const effective = (release: string) => deepMerge(upstreamValues(RELEASE_CHART_DIR[release]!), prod.releases[release].values) as Record<string, any>;
  const traefik = effective("traefik-admin");
  const argo = effective("argo-cd");
  const kps = effective("kube-prometheus-stack");
  const grafana = deepMerge(upstreamValues("grafana"), kps.grafana) as Record<string, any>;
  const kyverno = effective("kyverno");

  it.each<[string, unknown, unknown]>([
    ["Traefik entry points web/websecure", [traefik.ports.web.port, traefik.ports.websecure.port], [...POLICY_PORTS.traefikEntryPoints]],
    ["Traefik metrics", traefik.ports.metrics.port, POLICY_PORTS.traefikMetrics],
    ["argocd-server", argo.server.containerPorts.server, POLICY_PORTS.argocdServer],
    ["Argo CD metrics (controller, server, repo server)", [argo.controller.containerPorts.metrics, argo.server.containerPorts.metrics, argo.repoServer.containerPorts.metrics], [...POLICY_PORTS.argocdMetrics]],
    ["Grafana", grafana.service.targetPort, POLICY_PORTS.grafana],
    ["Prometheus", kps.prometheus.service.targetPort, POLICY_PORTS.prometheus],
    ["Alertmanager", kps.alertmanager.service.targetPort, POLICY_PORTS.alertmanager],
    ["prometheus-operator admission webhook", kps.prometheusOperator.tls.internalPort, POLICY_PORTS.prometheusOperatorWebhook],
    ["cert-manager webhook", effective("cert-manager").webhook.securePort, POLICY_PORTS.certManagerWebhook],
    ["Kyverno admission and cleanup webhooks", [kyverno.admissionController.webhookServer.port, kyverno.cleanupController.server.port], [POLICY_PORTS.kyvernoWebhook, POLICY_PORTS.kyvernoWebhook]],
    [
      "Kyverno metrics (every controller)",
      ["admissionController", "backgroundController", "cleanupController", "reportsController"].map((c) => kyverno[c].metering.port),
      Array(4).fill(POLICY_PORTS.kyvernoMetrics),
    ],
  ])("%s", (_what, chart, policy) => {
    expect(chart).toEqual(policy);
  });

  it("Traefik's NodePort Service targets exactly the entry points the policy opens", () => {
    const exposed = Object.values<any>(traefik.ports).filter((p) => p?.expose?.default === true).map((p) => p.port).sort();
    expect(exposed).toEqual([...POLICY_PORTS.traefikEntryPoints].sort());
  });

  it("a ServiceMonitor turned on outside monitoring is scraped through an allowed port (overrides enabling Traefik's)", () => {
    const withMonitor = synthPlatform(environment("dev", { platform: { overrides: { "traefik-public": { metrics: { prometheus: { serviceMonitor: { enabled: true } } } } } } }));
    const values = deepMerge(upstreamValues("traefik"), withMonitor.releases["traefik-public"].values) as Record<string, any>;
    expect(values.metrics.prometheus.serviceMonitor.enabled).toBe(true);
    const traefikPod: Endpoint = { namespace: "traefik-public", labels: POD_LABELS.traefik, ip: "10.244.9.9" };
    const prom: Endpoint = { namespace: "monitoring", labels: POD_LABELS.prometheus, ip: "10.244.9.10" };
    expect(mayConnect(policiesOf(withMonitor), prom, traefikPod, values.ports.metrics.port)).toBe(true);
  });
});
