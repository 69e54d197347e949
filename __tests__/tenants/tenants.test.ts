/**
 * The three example tenants (stacks/tenants.ts) in every shipped environment, checked over the synthesized
 * resources: naming convention, what every namespace gets, Argo CD projects, isolation in RBAC and NetworkPolicy,
 * and every object validated against the Kubernetes (kubernetes-models) and Argo CD schemas.
 */
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { LimitRange, Namespace, ResourceQuota, Secret, ServiceAccount } from "kubernetes-models/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1";
import { parse } from "yaml";
import { type TenantConfig, tenantNamespace } from "../../lib/config/tenants";
import { OIDC_PREFIX } from "../../lib/config/security";
import { PLATFORM_NAMESPACES } from "../../lib/platform/names";
import { MANAGED_BY_TERRAFORM } from "../../lib/config/labels";
import { TERRAFORM_OWNED_KINDS } from "../../lib/platform/kyverno-policies";
import { dev } from "../../stacks/dev";
import { prod } from "../../stacks/prod";
import { sandbox } from "../../stacks/sandbox";
import { tenants } from "../../stacks/tenants";
import { fromSynth, mayConnect } from "../platform/network-policy-model";
import { synthEnvironments } from "../helpers/synth";

const ENVIRONMENTS = { sandbox, dev, prod } as const;
const NON_PROD_STAGES = ["dev", "integration", "recette", "preproduction"];
const stagesOf = (env: string) => (env === "prod" ? ["prod"] : NON_PROD_STAGES);

type Json = Record<string, any>;
const all = (stack: Json, type: string): Json[] => Object.values<Json>(stack.resource[type] ?? {});
const underTenants = (r: Json) => String(r["//"].metadata.path).includes("/tenants/");
const meta = (r: Json) => (Array.isArray(r.metadata) ? r.metadata[0] : r.metadata);

/**
 * Argo CD's rule for an AppProject's destinations (AppProject.IsDestinationPermitted): a "!pattern" that matches
 * denies, whatever else matches; otherwise any matching pattern permits. Patterns are globs (`*`).
 */
function argoDestinationPermitted(destinations: readonly Json[], namespace: string): boolean {
  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  const inCluster = destinations.filter((d) => d.server === "https://kubernetes.default.svc");
  const denied = inCluster.some((d) => d.namespace.startsWith("!") && glob(d.namespace.slice(1)).test(namespace));
  return !denied && inCluster.some((d) => !d.namespace.startsWith("!") && glob(d.namespace).test(namespace));
}

describe("tenants in every shipped environment", () => {
  let stacks: Record<string, Json>;
  beforeAll(() => {
    stacks = synthEnvironments().stacks;
  });

  describe.each(Object.keys(ENVIRONMENTS))("%s", (env) => {
    const expectedNamespaces = tenants.flatMap((t) => stagesOf(env).map((s) => tenantNamespace(t.name, s)));

    it("names every namespace by convention (<tenant>-<stage> on non-prod, the bare name on prod), with restricted Pod Security", () => {
      const namespaces = all(stacks[env], "kubernetes_namespace_v1").filter(underTenants);
      expect(namespaces.map((n) => meta(n).name).sort()).toEqual([...expectedNamespaces].sort());
      if (env === "prod") expect(namespaces.map((n) => meta(n).name).sort()).toEqual(["billing", "reports", "shop"]);
      for (const n of namespaces) expect(meta(n).labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
      for (const n of namespaces) expect(PLATFORM_NAMESPACES as readonly string[]).not.toContain(meta(n).name);
    });

    it("gives every namespace a quota, container limits, deny-by-default policies, group bindings and a CI identity", () => {
      const stack = stacks[env];
      const inNs = (type: string, ns: string) => all(stack, type).filter((r) => meta(r).namespace === ns);
      for (const t of tenants) {
        for (const stage of stagesOf(env)) {
          const ns = tenantNamespace(t.name, stage);
          expect([ns, inNs("kubernetes_resource_quota_v1", ns).length, inNs("kubernetes_limit_range_v1", ns).length]).toEqual([ns, 1, 1]);
          const policies = inNs("kubernetes_network_policy_v1", ns).map((p) => meta(p).name);
          expect(policies).toEqual(expect.arrayContaining(["default-deny", "same-namespace", "from-public-ingress", "dns"]));
          const bindings = inNs("kubernetes_role_binding_v1", ns).map((b) => [meta(b).name, b.role_ref.name]);
          const gitlab = "ci" in t && "gitlabProject" in t.ci;
          const expected = [
            ...Object.entries(t.groups).map(([role]) => [{ admin: "tenant-admins", edit: "tenant-developers", view: "tenant-viewers" }[role], role]),
            gitlab ? ["ci-gitlab", "edit"] : ["ci-edit", "edit"],
          ];
          expect(bindings.sort()).toEqual(expected.sort());
          expect(inNs("kubernetes_service_account_v1", ns).map((a) => meta(a).name)).toEqual(gitlab ? [] : ["ci"]);
        }
      }
    });

    it("quotas: the tier's defaults, the tenant's override on top", () => {
      const quota = (ns: string) => all(stacks[env], "kubernetes_resource_quota_v1").find((q) => meta(q).namespace === ns)!.spec.hard;
      const stage = stagesOf(env)[0];
      expect(quota(tenantNamespace("billing", stage))).toMatchObject(env === "prod" ? { "requests.cpu": "4", "limits.memory": "16Gi" } : { "requests.cpu": "2", "limits.memory": "8Gi" });
      expect(quota(tenantNamespace("shop", stage))).toMatchObject({ "requests.cpu": "4", "limits.cpu": "8", pods: "80" });
    });

    it("no tenant holds a binding outside its own namespaces, and no tenant resource binds cluster-wide", () => {
      const stack = stacks[env];
      expect(all(stack, "kubernetes_cluster_role_binding_v1").filter(underTenants)).toEqual([]);
      for (const b of all(stack, "kubernetes_role_binding_v1").filter(underTenants)) {
        const ns = meta(b).namespace;
        const owner = tenants.find((t) => stagesOf(env).some((s) => tenantNamespace(t.name, s) === ns))!;
        const ownGroups = [
          ...Object.values(owner.groups).flat().map((g) => `${OIDC_PREFIX}${g}`),
          // Its own GitLab project's CI jobs, protected refs only (the default).
          ...("ci" in owner && "gitlabProject" in owner.ci ? [`gitlab:project_path:${owner.ci.gitlabProject}:protected`] : []),
        ];
        for (const subject of b.subject) {
          if (subject.kind === "Group") expect([ns, subject.name, ownGroups.includes(subject.name)]).toEqual([ns, subject.name, true]);
          else expect([subject.kind, subject.namespace]).toEqual(["ServiceAccount", ns]);
        }
        expect(["admin", "edit", "view"]).toContain(b.role_ref.name);
        expect(b.role_ref.kind).toBe("ClusterRole"); // a ClusterRole bound by a RoleBinding grants inside this namespace only
      }
    });

    it("no tenant's pod can reach another tenant's pod (either way), but its own, the public Traefik and DNS", () => {
      const policies = all(stacks[env], "kubernetes_network_policy_v1").map(fromSynth);
      const pod = (namespace: string, ip: string) => ({ namespace, labels: { app: "web" }, ip });
      const namespaces = expectedNamespaces.map((ns, i) => pod(ns, `10.244.${i + 1}.10`));
      for (const a of namespaces) {
        for (const b of namespaces) {
          const expected = a.namespace === b.namespace;
          expect([a.namespace, b.namespace, mayConnect(policies, a, b, 8080)]).toEqual([a.namespace, b.namespace, expected]);
        }
        const traefik = { namespace: "traefik-public", labels: { "app.kubernetes.io/name": "traefik" }, ip: "10.244.200.5" };
        expect(mayConnect(policies, traefik, a, 8080)).toBe(true);
        expect(mayConnect(policies, { namespace: "traefik-admin", labels: { "app.kubernetes.io/name": "traefik" }, ip: "10.244.200.6" }, a, 8080)).toBe(false);
        expect(mayConnect(policies, a, { namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, ip: "10.244.0.5" }, 53, "UDP")).toBe(true);
        expect(mayConnect(policies, a, { namespace: "argocd", labels: { "app.kubernetes.io/name": "argocd-server" }, ip: "10.244.0.9" }, 8080)).toBe(false);
        expect(mayConnect(policies, a, { ip: "8.8.8.8" }, 443)).toBe(false);
      }
      // The declared egress: billing's database, on its port only.
      const billing = pod(tenantNamespace("billing", stagesOf(env)[0]), "10.244.99.1");
      expect(mayConnect(policies, billing, { ip: "10.50.10.7" }, 5432)).toBe(true);
      expect(mayConnect(policies, billing, { ip: "10.50.10.7" }, 22)).toBe(false);
      expect(mayConnect(policies, pod(tenantNamespace("shop", stagesOf(env)[0]), "10.244.99.2"), { ip: "10.50.10.7" }, 5432)).toBe(false);
    });

    it("gives each GitOps tenant an AppProject whose destinations are exactly its namespaces, and one Application per stage", () => {
      const releases = all(stacks[env], "helm_release").filter(underTenants);
      expect(releases.map((r) => r.name).sort()).toEqual(["tenant-billing", "tenant-shop"]);
      for (const release of releases) {
        expect([release.namespace, release.depends_on]).toEqual(["argocd", expect.arrayContaining([expect.stringMatching(/^helm_release\.platform_argocd-apps_helm_release_/)])]);
        const tenant = String(release.name).replace(/^tenant-/, "");
        const config: TenantConfig = tenants.find((t) => t.name === tenant)!;
        const objects: Json[] = parse(release.values[0]).resources;
        const [project, ...apps] = objects;
        expect(project.kind).toBe("AppProject");
        expect(project.spec.destinations.map((d: Json) => d.namespace).sort()).toEqual(stagesOf(env).map((s) => tenantNamespace(tenant, s)).sort());
        expect(project.spec.sourceRepos).toEqual([config.gitops!.repoURL]);
        expect(project.spec.clusterResourceWhitelist).toEqual([]);
        expect(project.spec.namespaceResourceWhitelist).not.toContainEqual({ group: "", kind: "ResourceQuota" });
        expect(apps.map((a) => [a.metadata.name, a.spec.destination.namespace, a.spec.source.helm.valueFiles, a.spec.project])).toEqual(
          stagesOf(env).map((s) => [`${tenant}-${s}`, tenantNamespace(tenant, s), ["values.yaml", `values.${s}.yaml`], project.metadata.name]),
        );
        for (const app of apps) expect(app.spec.syncPolicy.automated === undefined).toBe(env === "prod");
        expect(() => new AppProject(project as any).validate()).not.toThrow();
        for (const app of apps) expect(() => new Application(app as any).validate()).not.toThrow();
      }
    });

    it("every tenant namespace is denied to the environment's GitOps project and allowed to its own tenant's project only", () => {
      const releaseValues = (name: string): Json => parse(all(stacks[env], "helm_release").find((r) => r.name === name)!.values[0]);
      const projects: Json[] = [
        ...Object.entries<Json>(releaseValues("argocd-apps").projects).map(([name, spec]) => ({ name, destinations: spec.destinations })),
        ...tenants.filter((t) => "gitops" in t).map((t) => {
          const project = releaseValues(`tenant-${t.name}`).resources[0];
          return { name: project.metadata.name, destinations: project.spec.destinations };
        }),
      ];
      expect(projects.map((p) => p.name)).toEqual(expect.arrayContaining([env, "bootstrap", "tenant-billing", "tenant-shop"]));
      for (const t of tenants) {
        for (const stage of stagesOf(env)) {
          const ns = tenantNamespace(t.name, stage);
          const permitted = projects.filter((p) => argoDestinationPermitted(p.destinations, ns)).map((p) => p.name);
          expect([ns, permitted]).toEqual([ns, "gitops" in t ? [`tenant-${t.name}`] : []]);
        }
      }
      // The environment's project still reaches an ordinary namespace.
      expect(argoDestinationPermitted(projects.find((p) => p.name === env)!.destinations, "team-without-tenant")).toBe(true);
    });

    it("protect-terraform-objects covers exactly the kinds Terraform creates in tenant namespaces, each carrying the label it keys on", () => {
      const kindOf: Record<string, string> = {
        kubernetes_network_policy_v1: "NetworkPolicy", kubernetes_resource_quota_v1: "ResourceQuota", kubernetes_limit_range_v1: "LimitRange",
        kubernetes_role_binding_v1: "RoleBinding", kubernetes_service_account_v1: "ServiceAccount",
      };
      const inTenantNamespace = (r: Json) => underTenants(r) && expectedNamespaces.includes(meta(r)?.namespace);
      const namespaced = Object.keys(stacks[env].resource).filter((type) => all(stacks[env], type).some(inTenantNamespace));
      expect(namespaced.filter((t) => t !== "kubernetes_token_request_v1").sort()).toEqual(Object.keys(kindOf).sort());
      for (const type of Object.keys(kindOf)) {
        for (const r of all(stacks[env], type).filter(underTenants)) expect([type, meta(r).labels[Object.keys(MANAGED_BY_TERRAFORM)[0]]]).toEqual([type, "terraform"]);
      }
      expect(Object.values(kindOf).sort()).toEqual([...TERRAFORM_OWNED_KINDS].sort());
    });

    it("a private GitOps repository gets an Argo CD repository Secret scoped to the tenant's project, its password a variable", () => {
      const secrets = all(stacks[env], "kubernetes_secret_v1").filter(underTenants);
      expect(secrets.map((r) => [meta(r).name, meta(r).namespace])).toEqual([["repo-tenant-billing", "argocd"]]);
      const [secret] = secrets;
      expect(meta(secret).labels).toMatchObject({ "argocd.argoproj.io/secret-type": "repository", "vsphere-kubeadm-platform/regenerated": "true" });
      const billing: TenantConfig = tenants.find((t) => t.name === "billing")!;
      expect(secret.data).toEqual({
        type: "git", url: billing.gitops!.repoURL, project: "tenant-billing", username: billing.gitops!.username, password: "${var.tenant_billing_repo_password}",
      });
      expect(() => new Secret({ metadata: meta(secret), type: secret.type, stringData: secret.data }).validate()).not.toThrow();
      // Nothing of it in the tenant's Helm values (the raw-chart release).
      expect(all(stacks[env], "helm_release").find((r) => r.name === "tenant-billing")!.values[0]).not.toMatch(/password|repo_password/);
    });

    it("every tenant object validates against the Kubernetes schema (kubernetes-models)", () => {
      const stack = stacks[env];
      const objects = [
        ...all(stack, "kubernetes_namespace_v1").filter(underTenants).map((r) => new Namespace({ metadata: meta(r) })),
        ...all(stack, "kubernetes_resource_quota_v1").map((r) => new ResourceQuota({ metadata: meta(r), spec: { hard: r.spec.hard } })),
        ...all(stack, "kubernetes_limit_range_v1").map(
          (r) => new LimitRange({ metadata: meta(r), spec: { limits: r.spec.limit.map((l: Json) => ({ type: l.type, default: l.default, defaultRequest: l.default_request })) } }),
        ),
        ...all(stack, "kubernetes_network_policy_v1").filter(underTenants).map((r) => new NetworkPolicy(fromSynth(r) as any)),
        ...all(stack, "kubernetes_role_binding_v1").filter(underTenants).map(
          (r) => new RoleBinding({ metadata: meta(r), roleRef: { apiGroup: r.role_ref.api_group, kind: r.role_ref.kind, name: r.role_ref.name }, subjects: r.subject.map((s: Json) => ({ kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}), ...(s.api_group ? { apiGroup: s.api_group } : {}) })) }),
        ),
        ...all(stack, "kubernetes_service_account_v1").map((r) => new ServiceAccount({ metadata: meta(r) })),
        ...all(stack, "kubernetes_priority_class_v1").map((r) => new PriorityClass({ metadata: meta(r), value: r.value, globalDefault: r.global_default, description: r.description })),
      ];
      expect(objects.length).toBeGreaterThan(30);
      for (const o of objects) expect(() => o.validate()).not.toThrow();
    });

    it("tenant workloads get a PriorityClass below the platform's, never the global default", () => {
      const [pc] = all(stacks[env], "kubernetes_priority_class_v1");
      expect([meta(pc).name, pc.value < 0, pc.global_default]).toEqual(["tenant-default", true, false]);
    });

    it("CI tokens expire (TokenRequest, tenant's hours) and are renewed by the first apply after half their life", () => {
      const stack = stacks[env];
      for (const token of all(stack, "kubernetes_token_request_v1")) {
        const [, tenant] = String(token["//"].metadata.path).match(/tenants\/([^/]+)\//)!;
        const hours = tenant === "reports" ? 8 : 24;
        expect(token.spec.expiration_seconds).toBe(hours * 3600);
        // token <- replace_triggered_by keeper (terraform_data) <- triggers_replace the rotation's id
        const [trigger] = token.lifecycle.replace_triggered_by;
        const keeper = stack.resource.terraform_data[trigger.replace(/^terraform_data\./, "")];
        const rotationId = keeper.triggers_replace.rotation;
        const rotation = stack.resource.time_rotating[rotationId.match(/\$\{time_rotating\.([\w-]+)\.id\}/)[1]];
        expect(rotation.rotation_hours).toBe(hours / 2);
      }
      const withServiceAccount = tenants.filter((t) => !("ci" in t && "gitlabProject" in t.ci));
      expect(all(stack, "kubernetes_token_request_v1")).toHaveLength(withServiceAccount.length * stagesOf(env).length);
    });

    it("outputs one kubeconfig per tenant with a context <env>-<tenant>-<stage> per stage: sensitive with tokens, plain for GitLab CI", () => {
      for (const t of tenants) {
        const gitlab = "ci" in t && "gitlabProject" in t.ci;
        const output = stacks[env].output[gitlab ? `tenant_${t.name}_gitlab_kubeconfig` : `tenant_${t.name}_kubeconfig`];
        expect(output.sensitive).toBe(gitlab ? undefined : true);
        if (gitlab) expect(stacks[env].output[`tenant_${t.name}_kubeconfig`]).toBeUndefined();
        // The literal parts are base64 inside the Terraform expression: decode them to read the contexts.
        const text = [...String(output.value).matchAll(/base64decode\("([^"]+)"\)/g)].map((m) => Buffer.from(m[1], "base64").toString()).join("<value>");
        const kubeconfig = parse(text);
        expect(kubeconfig.contexts.map((c: Json) => [c.name, c.context.namespace])).toEqual(stagesOf(env).map((s) => [`${env}-${t.name}-${s}`, tenantNamespace(t.name, s)]));
        expect(kubeconfig["current-context"]).toBeUndefined();
        // GitLab: no credential at all (the job passes its ID token with --token); otherwise the stage's token.
        for (const u of kubeconfig.users) expect(Object.keys(u.user)).toEqual(gitlab ? [] : ["token"]);
      }
    });
  });
});
