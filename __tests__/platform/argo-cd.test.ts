import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { environment } from "./fixtures";
import { sensitiveSource, synthPlatform } from "./synth";

/** The custom resources argocd-apps renders from its values (name = map key, the rest = spec). */
function renderArgocdApps(values: any): { applications: any[]; projects: any[] } {
  const meta = (name: string, v: any) => ({ name, namespace: v.namespace, ...(v.finalizers ? { finalizers: v.finalizers } : {}) });
  const spec = (v: any) => {
    const { namespace: _ns, finalizers: _f, additionalLabels: _l, additionalAnnotations: _a, ...rest } = v;
    return rest;
  };
  return {
    applications: Object.entries<any>(values.applications ?? {}).map(([name, v]) => ({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: meta(name, v), spec: spec(v) })),
    projects: Object.entries<any>(values.projects ?? {}).map(([name, v]) => ({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: meta(name, v), spec: spec(v) })),
  };
}

describe.each([["sandbox"], ["prod"]] as const)("Argo CD (%s)", (tier) => {
  const env = environment(tier);
  const { releases, json } = synthPlatform(env);
  const argo = releases["argo-cd"];
  const apps = releases["argocd-apps"];
  const rendered = renderArgocdApps(apps.values);

  it("root Application and both AppProjects validate against @kubernetes-models/argo-cd", () => {
    expect(rendered.applications).toHaveLength(1);
    expect(rendered.projects.map((p) => p.metadata.name).sort()).toEqual(["bootstrap", env.name].sort());
    for (const a of rendered.applications) expect(() => new Application(a).validate()).not.toThrow();
    for (const p of rendered.projects) expect(() => new AppProject(p).validate()).not.toThrow();
  });

  const project = (name: string) => rendered.projects.find((p) => p.metadata.name === name);

  it("root Application tracks the environment's GitOps repo/path/revision in the bootstrap project", () => {
    const root = rendered.applications[0];
    expect(root.spec.source).toMatchObject({ repoURL: env.platform.gitops.repoURL, path: env.platform.gitops.path, targetRevision: "main" });
    expect(root.spec.project).toBe("bootstrap");
    expect(root.metadata.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"]);
  });

  it("bootstrap project: only Applications and AppProjects, only in argocd's namespace, nothing cluster-scoped", () => {
    const spec = project("bootstrap").spec;
    expect(spec.sourceRepos).toEqual([env.platform.gitops.repoURL]);
    expect(spec.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: "argocd" }]);
    expect(spec.clusterResourceWhitelist).toEqual([]);
    expect(spec.namespaceResourceWhitelist).toEqual([{ group: "argoproj.io", kind: "Application" }, { group: "argoproj.io", kind: "AppProject" }]);
  });

  it("environment project limits sources to the GitOps repo and denies platform namespaces and argocd's", () => {
    const spec = project(env.name).spec;
    expect(spec.sourceRepos).toEqual([env.platform.gitops.repoURL]);
    const namespaces = spec.destinations.map((d: any) => d.namespace);
    expect(namespaces).toEqual(expect.arrayContaining(["!kube-system", "!rook-ceph", "!monitoring", "!argocd", "!cert-manager"]));
    expect(namespaces).not.toContain("argocd");
    expect(spec.destinations.every((d: any) => d.server === "https://kubernetes.default.svc")).toBe(true);
  });

  it("both projects carry the resources finalizer, so on destroy they go after their applications", () => {
    for (const p of rendered.projects) expect([p.metadata.name, p.metadata.finalizers]).toEqual([p.metadata.name, ["resources-finalizer.argocd.argoproj.io"]]);
  });

  it("admin password: only the bcrypt hash reaches the chart, through set_sensitive; plain password is a sensitive output", () => {
    const admin = argo.setSensitive.find((s) => s.name === "configs.secret.argocdServerAdminPassword");
    expect(sensitiveSource(admin!.value)).toMatch(/^random_password\.[^.]+\.bcrypt_hash$/);
    expect(argo.valuesYaml).not.toMatch(/argocdServerAdminPassword:|random_password/);
    expect(json.output.argocd_admin_password).toMatchObject({ sensitive: true });
    expect(json.output.argocd_admin_password.value).toMatch(/random_password\.[^.]+\.result/);
  });

  it("admin password time is the password's creation time, kept across upgrades (sessions survive them)", () => {
    const mtime = (argo.values as any).configs.secret.argocdServerAdminPasswordMtime;
    const [, address] = /^\$\{terraform_data\.([^.]+)\.output\["time"\]\}$/.exec(mtime) ?? [];
    const data = json.resource.terraform_data[address];
    expect(data.input).toEqual({ time: "${timestamp()}" });
    expect(data.lifecycle.ignore_changes).toEqual(["input"]);
    expect(data.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^random_password\.[^.]+$/)]);
  });

  it("repository password comes from a sensitive variable through set_sensitive", () => {
    expect(json.variable.argocd_repo_password).toMatchObject({ sensitive: true, type: "string" });
    const s = argo.setSensitive.find((x) => x.name === "configs.repositories.gitops.password");
    expect(sensitiveSource(s!.value)).toBe("var.argocd_repo_password");
  });

  it("UI on the admin ingress class", () => {
    expect((argo.values as any).server.ingress).toMatchObject({ enabled: true, ingressClassName: "admin", hostname: `argocd.${env.platform.domain}` });
  });

  it(`HA ${tier === "prod" ? "on" : "off"}`, () => {
    const v = argo.values as any;
    expect(v["redis-ha"].enabled).toBe(tier === "prod");
    expect(v.server.replicas).toBe(tier === "prod" ? 2 : 1);
    expect(v.repoServer.replicas).toBe(tier === "prod" ? 2 : 1);
  });
});

describe("the Argo CD model check can fail", () => {
  it("rejects an Application without a destination", () => {
    expect(() => new Application({ metadata: { name: "x" }, spec: { project: "p", source: { repoURL: "https://x" } } } as any).validate()).toThrow();
  });
});
