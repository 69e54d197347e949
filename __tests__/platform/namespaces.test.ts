import type { PodSecurityLevel } from "../../lib/config/security";
import { NAMESPACE_POD_SECURITY, PLATFORM_RELEASE_NAMESPACES, podSecurityVersion, type PlatformReleaseNamespace } from "../../lib/platform/namespaces";
import { PLATFORM_NAMESPACES } from "../../lib/platform/names";
import { deepMerge } from "../../lib/platform/values";
import { environment } from "./fixtures";
import { synthPlatform } from "./synth";
import { RELEASE_CHART_DIR, upstreamValues } from "./upstream";

const prod = synthPlatform(environment("prod"));
const namespaces = (json: Record<string, any>): Record<string, any> => json.resource.kubernetes_namespace_v1 ?? {};
const byName = (json: Record<string, any>) => new Map(Object.entries(namespaces(json)).map(([address, ns]) => [ns.metadata.name as string, { address, ns }]));

describe("platform namespaces (Terraform, not helm --create-namespace)", () => {
  it("one kubernetes_namespace_v1 for exactly the namespaces the releases install into", () => {
    const used = new Set(Object.values(prod.releases).map((r) => r.namespace));
    expect([...byName(prod.json).keys()].sort()).toEqual([...used].sort());
    expect([...used].sort()).toEqual([...PLATFORM_RELEASE_NAMESPACES].sort());
  });

  it("the operator's own namespaces are left to it; every Terraform namespace except argocd is one the GitOps project may not deploy to", () => {
    expect(byName(prod.json).has("calico-system")).toBe(false);
    expect(byName(prod.json).has("calico-apiserver")).toBe(false);
    // argocd is denied to GitOps by the AppProject through its own rule (README, Argo CD).
    expect(PLATFORM_RELEASE_NAMESPACES.filter((ns) => !(PLATFORM_NAMESPACES as readonly string[]).includes(ns))).toEqual(["argocd"]);
  });

  it("each namespace waits for the API server, and every release depends on its own namespace (so it is destroyed first)", () => {
    const found = byName(prod.json);
    for (const { ns } of found.values()) expect(ns).toMatchObject({ depends_on: ["null_resource.api-ready"], wait_for_default_service_account: true });
    for (const r of Object.values(prod.releases)) {
      expect(r.dependsOn).toContain(`kubernetes_namespace_v1.${found.get(r.namespace)!.address}`);
    }
  });

  it.each(PLATFORM_RELEASE_NAMESPACES.map((ns) => [ns, NAMESPACE_POD_SECURITY[ns].level] as const))(
    "%s: enforce and warn %s, audit restricted, every mode pinned to the cluster's minor",
    (name, level) => {
      expect(byName(prod.json).get(name)!.ns.metadata.labels).toEqual({
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": "v1.33",
        "pod-security.kubernetes.io/warn": level,
        "pod-security.kubernetes.io/warn-version": "v1.33",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "v1.33",
      });
    },
  );

  it("the version label follows kubernetes.version (a Kubernetes upgrade shows up as a label change in the plan)", () => {
    expect(podSecurityVersion("1.33.4")).toBe("v1.33");
    expect(podSecurityVersion("v1.35.0")).toBe("v1.35");
    const env = environment("dev");
    const upgraded = synthPlatform({ ...env, kubernetes: { ...env.kubernetes, version: "1.34.1" }, template: { ...env.template, kubernetesVersion: "1.34.1" } as typeof env.template });
    expect(byName(upgraded.json).get("argocd")!.ns.metadata.labels["pod-security.kubernetes.io/enforce-version"]).toBe("v1.34");
  });

  it("privileged only where a component needs host access; every level says why", () => {
    const levels = Object.fromEntries(PLATFORM_RELEASE_NAMESPACES.map((ns) => [ns, NAMESPACE_POD_SECURITY[ns].level]));
    expect(levels).toEqual({
      "tigera-operator": "privileged",
      "cert-manager": "restricted",
      "traefik-public": "restricted",
      "traefik-admin": "restricted",
      argocd: "restricted",
      monitoring: "privileged",
      "rook-ceph": "privileged",
      kyverno: "restricted",
      logging: "privileged",
      velero: "privileged",
      "snapshot-controller": "restricted",
    });
    for (const ns of PLATFORM_RELEASE_NAMESPACES) expect(NAMESPACE_POD_SECURITY[ns].why.length).toBeGreaterThan(20);
  });
});

/**
 * `restricted` in a namespace holds only if every pod there passes it: read each security context of the
 * releases in the restricted namespaces from the vendored chart defaults merged with our values.
 */
describe("restricted namespaces: the charts' pods comply (vendored values + ours)", () => {
  type Ctx = Record<string, any> | undefined;
  /** The restricted checks a pod/container security context pair decides (Pod Security Standards, restricted). */
  function violations(pod: Ctx, container: Ctx): string[] {
    const problems: string[] = [];
    const seccomp = container?.seccompProfile?.type ?? pod?.seccompProfile?.type;
    if (!["RuntimeDefault", "Localhost"].includes(seccomp)) problems.push("seccompProfile");
    if ((container?.runAsNonRoot ?? pod?.runAsNonRoot) !== true) problems.push("runAsNonRoot");
    if ((container?.runAsUser ?? pod?.runAsUser) === 0) problems.push("runAsUser 0");
    if (container?.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation");
    if (!(container?.capabilities?.drop ?? []).includes("ALL")) problems.push("capabilities.drop ALL");
    if ((container?.capabilities?.add ?? []).some((c: string) => c !== "NET_BIND_SERVICE")) problems.push("capabilities.add");
    if (container?.privileged === true) problems.push("privileged");
    return problems;
  }
  const effective = (release: string) => deepMerge(upstreamValues(RELEASE_CHART_DIR[release]!), prod.releases[release].values) as Record<string, any>;

  /** [release, namespace, pod-level path, container-level path] of every workload the release runs. */
  const PODS: ReadonlyArray<readonly [string, PlatformReleaseNamespace, string | undefined, string]> = [
    ["cert-manager", "cert-manager", "securityContext", "containerSecurityContext"],
    ["cert-manager", "cert-manager", "webhook.securityContext", "webhook.containerSecurityContext"],
    ["cert-manager", "cert-manager", "cainjector.securityContext", "cainjector.containerSecurityContext"],
    ["cert-manager", "cert-manager", "startupapicheck.securityContext", "startupapicheck.containerSecurityContext"],
    ["traefik-public", "traefik-public", "podSecurityContext", "securityContext"],
    ["traefik-admin", "traefik-admin", "podSecurityContext", "securityContext"],
    ["argo-cd", "argocd", "global.securityContext", "controller.containerSecurityContext"],
    ["argo-cd", "argocd", "global.securityContext", "server.containerSecurityContext"],
    ["argo-cd", "argocd", "global.securityContext", "repoServer.containerSecurityContext"],
    ["argo-cd", "argocd", "global.securityContext", "applicationSet.containerSecurityContext"],
    ["argo-cd", "argocd", "global.securityContext", "notifications.containerSecurityContext"],
    ["argo-cd", "argocd", "redis.securityContext", "redis.containerSecurityContext"],
    ["argo-cd", "argocd", "redisSecretInit.securityContext", "redisSecretInit.containerSecurityContext"],
    ["kyverno", "kyverno", "admissionController.podSecurityContext", "admissionController.initContainer.securityContext"],
    ["kyverno", "kyverno", "admissionController.podSecurityContext", "admissionController.container.securityContext"],
    ["kyverno", "kyverno", "backgroundController.podSecurityContext", "backgroundController.securityContext"],
    ["kyverno", "kyverno", "cleanupController.podSecurityContext", "cleanupController.securityContext"],
    ["kyverno", "kyverno", "reportsController.podSecurityContext", "reportsController.securityContext"],
    ["kyverno", "kyverno", "crds.migration.podSecurityContext", "crds.migration.securityContext"],
    ["kyverno", "kyverno", "webhooksCleanup.podSecurityContext", "webhooksCleanup.securityContext"],
    ["snapshot-controller", "snapshot-controller", "controller.podSecurityContext", "controller.securityContext"],
  ];
  const at = (values: Record<string, any>, path: string | undefined): Ctx => path?.split(".").reduce<any>((o, k) => o?.[k], values);

  it.each(PODS.map(([r, ns, pod, container]) => [`${r}: ${container}`, r, ns, pod, container] as const))("%s", (_t, release, ns, pod, container) => {
    expect(NAMESPACE_POD_SECURITY[ns].level).toBe("restricted");
    expect(prod.releases[release].namespace).toBe(ns);
    const values = effective(release);
    expect(violations(at(values, pod), at(values, container))).toEqual([]);
  });

  it("the check itself fails on what restricted refuses (Grafana's root chown init container, the blackbox exporter's missing seccomp)", () => {
    const grafana = upstreamValues("grafana") as Record<string, any>;
    expect(violations(grafana.securityContext, grafana.initChownData.securityContext)).toEqual(expect.arrayContaining(["runAsUser 0", "capabilities.add"]));
    const blackbox = upstreamValues("prometheus-blackbox-exporter") as Record<string, any>;
    expect(violations(blackbox.podSecurityContext, blackbox.securityContext)).toEqual(["seccompProfile"]);
  });

  it("every restricted namespace's releases are covered above", () => {
    const restricted = PLATFORM_RELEASE_NAMESPACES.filter((ns) => NAMESPACE_POD_SECURITY[ns].level === ("restricted" as PodSecurityLevel));
    const releasesThere = Object.values(prod.releases).filter((r) => restricted.includes(r.namespace as PlatformReleaseNamespace)).map((r) => r.name);
    // cluster-issuer, argocd-default-project, admission-policies and traefik-crds (bedag raw) and argocd-apps render no pods.
    expect(releasesThere.filter((r) => !PODS.some(([name]) => name === r)).sort()).toEqual(["admission-policies", "argocd-apps", "argocd-default-project", "cluster-issuer", "traefik-crds"]);
  });
});

describe("adopting the namespaces Helm created (platform.adoptExistingNamespaces)", () => {
  const imports = (json: Record<string, any>) => (json.import ?? []) as { to: string; id: string }[];

  it("off (the default): no import block", () => {
    expect(imports(prod.json)).toEqual([]);
  });

  it("on: one import block per namespace Helm used to create (not kyverno, logging, velero or snapshot-controller, new with Terraform), by its name, into its kubernetes_namespace_v1", () => {
    const adopted = synthPlatform(environment("prod", { platform: { adoptExistingNamespaces: true } }));
    const found = byName(adopted.json);
    expect(imports(adopted.json).map((i) => [i.id, i.to]).sort()).toEqual(
      PLATFORM_RELEASE_NAMESPACES.filter((ns) => !["kyverno", "logging", "velero", "snapshot-controller"].includes(ns)).sort().map((ns) => [ns, `kubernetes_namespace_v1.${found.get(ns)!.address}`]),
    );
    // Same resources either way: switching it off after the upgrade changes nothing else.
    expect(Object.keys(namespaces(adopted.json))).toEqual(Object.keys(namespaces(prod.json)));
  });
});
