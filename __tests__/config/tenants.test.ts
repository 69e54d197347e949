import { parseQuantity, tenantSettings } from "../../lib/config/tenants";
import { validateEnvironment } from "../../lib/config/validate";
import { prodCopy, sandboxCopy } from "../helpers/environments";
import { problemsOf } from "../helpers/problems";

describe("tenant settings", () => {
  it("gives non-prod tiers the four stages and prod the bare name, with the tier's quota under the tenant's", () => {
    const sandbox = sandboxCopy();
    sandbox.tenants = [{ name: "team", quota: { cpu: "3" }, stageQuotas: { recette: { pods: 7 } } }];
    const [t] = tenantSettings(validateEnvironment(sandbox));
    expect(t.stages.map((s) => s.namespace)).toEqual(["team-dev", "team-integration", "team-recette", "team-preproduction"]);
    expect(t.stages[0].quota).toMatchObject({ cpu: "3", cpuLimit: "4", pods: 50 });
    expect(t.stages[2].quota).toMatchObject({ cpu: "3", pods: 7 });
    expect([t.podSecurity, t.ciTokenHours, t.gitops]).toEqual(["restricted", 24, undefined]);
    const prod = prodCopy();
    prod.tenants = [{ name: "team", ci: false, stages: ["prod", "hotfix"] }];
    const [p] = tenantSettings(validateEnvironment(prod));
    expect([p.stages.map((s) => s.namespace), p.ciTokenHours, p.stages[0].quota.cpu]).toEqual([["team", "team-hotfix"], undefined, "4"]);
  });

  it("parses Kubernetes quantities", () => {
    expect([parseQuantity("500m"), parseQuantity("2"), parseQuantity("1Gi"), parseQuantity("1.5G")]).toEqual([0.5, 2, 2 ** 30, 1.5e9]);
    expect([parseQuantity("2 Gi"), parseQuantity("-1"), parseQuantity("1gb")]).toEqual([undefined, undefined, undefined]);
  });
});

describe("tenant validation: one ConfigError naming env, field, value and fix", () => {
  const withTenants = (tenants: unknown, env = sandboxCopy()) => ({ ...env, tenants });

  it("GitLab CI: the project's path, security.gitlabCi to trust its tokens, refs the API server accepts", () => {
    const noGitlab = sandboxCopy();
    delete noGitlab.security.gitlabCi;
    expect(problemsOf(withTenants([{ name: "team", ci: { gitlabProject: "team/deploy" } }], noGitlab))).toEqual([
      'sandbox.tenants[0].ci.gitlabProject: "team/deploy" needs the API server to trust GitLab\'s tokens: set security.gitlabCi ({ issuerUrl, audience }) or remove gitlabProject',
    ]);
    const bad = ["deploy", "https://gitlab.example.internal/team/deploy", "team/deploy.git", "team/-deploy", "team//deploy"];
    for (const project of bad) {
      expect(problemsOf(withTenants([{ name: "team", ci: { gitlabProject: project } }]))).toEqual([
        `sandbox.tenants[0].ci.gitlabProject: "${project}" is not a GitLab project path; write its full path as in its URL, e.g. "billing/deploy" or "shop/backend/api" (no https://, no .git)`,
      ]);
    }
    expect(() => validateEnvironment(withTenants([{ name: "team", ci: { gitlabProject: "Team.Group/sub_group/my-app.v2" } }]))).not.toThrow();
    expect(problemsOf(withTenants([{ name: "team", ci: { gitlabRefs: "any" } }]))).toEqual(["sandbox.tenants[0].ci.gitlabRefs: has no effect without gitlabProject; add the project or remove it"]);
    expect(problemsOf(withTenants([{ name: "team", ci: { gitlabProject: "team/deploy", gitlabRefs: "all" } }]))).toEqual(['sandbox.tenants[0].ci.gitlabRefs: "all" is not one of protected, any']);
    // prod refuses unprotected refs' tokens altogether: "any" could never work there.
    expect(problemsOf(withTenants([{ name: "team", ci: { gitlabProject: "team/deploy", gitlabRefs: "any" } }], prodCopy()))).toEqual([
      'prod.tenants[0].ci.gitlabRefs: "any" cannot work: security.gitlabCi.protectedRefsOnly (true on this tier by default) refuses every unprotected ref\'s token; remove gitlabRefs or set protectedRefsOnly: false',
    ]);
  });

  it("a private repository's user: a plain Git user name (the password is a variable)", () => {
    expect(problemsOf(withTenants([{ name: "team", gitops: { repoURL: "https://gitlab.example.internal/team/deploy.git", username: "bot:token" } }]))).toEqual([
      'sandbox.tenants[0].gitops.username: "bot:token" must be a Git user name without spaces or ":" (the password comes from TF_VAR_tenant_<name>_repo_password)',
    ]);
  });

  it("GitLab CI replaces the ServiceAccount unless tokenHours is given too", () => {
    const settings = (ci: unknown) => tenantSettings(validateEnvironment(withTenants([{ name: "team", ci }])))[0];
    expect([settings({ gitlabProject: "team/deploy" }).ciTokenHours, settings({ gitlabProject: "team/deploy" }).gitlabCi]).toEqual([undefined, { project: "team/deploy", protectedRefsOnly: true }]);
    expect(settings({ gitlabProject: "team/deploy", gitlabRefs: "any", tokenHours: 4 })).toMatchObject({ ciTokenHours: 4, gitlabCi: { protectedRefsOnly: false } });
    expect(settings(undefined)).toMatchObject({ ciTokenHours: 24, gitlabCi: undefined });
  });

  it("refuses names that collide with system or platform namespaces, or with another tenant's", () => {
    const prod = prodCopy();
    expect(problemsOf(withTenants([{ name: "monitoring" }, { name: "default" }, { name: "kube-apps" }, { name: "argocd" }], prod))).toEqual([
      'prod.tenants[0].name: "monitoring" gives stage prod the namespace monitoring, a platform namespace; choose another tenant name',
      'prod.tenants[1].name: "default" gives stage prod the namespace default, a Kubernetes system namespace; choose another tenant name',
      'prod.tenants[2].name: "kube-apps" gives stage prod the namespace kube-apps, a Kubernetes system namespace; choose another tenant name',
      'prod.tenants[3].name: "argocd" gives stage prod the namespace argocd, a platform namespace; choose another tenant name',
    ]);
    expect(problemsOf(withTenants([{ name: "shop" }, { name: "shop-dev", stages: ["prod"] }]))).toEqual([
      'sandbox.tenants[1].name: "shop-dev" gives stage prod the namespace shop-dev, which sandbox.tenants[0] (shop) already has; rename one of them',
    ]);
    expect(problemsOf(withTenants([{ name: "kube" }]))).toHaveLength(4); // kube-dev, kube-integration, ...
  });

  it("checks quotas, container defaults, stages, groups, repositories, CI token hours, Pod Security and egress", () => {
    expect(
      problemsOf(
        withTenants([
          {
            name: "Team",
            stages: ["dev", "dev", "Prod"],
            quota: { cpu: "8", cpuLimit: "4", memory: "lots", pods: 0, gpus: 1 },
            stageQuotas: { qa: { cpu: "1" } },
            containerDefaults: { memoryRequest: "1Gi" },
            groups: { edit: ["system:masters", "team devs"] },
            gitops: { repoURL: "gitlab.example.internal/team.git", path: "../chart" },
            ci: { tokenHours: 0 },
            podSecurity: { level: "privileged", reason: "needs" },
            egress: [{ cidr: "10.0.0.0/33", ports: [{ protocol: "SCTP", port: 70000 }] }],
          },
        ]),
      ),
    ).toEqual([
      'sandbox.tenants[0].name: "Team" is not a DNS-1123 label; use at most 40 lower-case letters, digits and "-", starting and ending with a letter or digit',
      'sandbox.tenants[0].stages[1]: "dev" is listed twice; list each stage once',
      'sandbox.tenants[0].stages[2]: "Prod" is not a stage name (at most 20 lower-case letters, digits and "-")',
      "sandbox.tenants[0].quota.gpus: unknown field (typo?); known fields here: cpu, cpuLimit, memory, memoryLimit, storage, persistentVolumeClaims, pods, services, secrets, configMaps",
      'sandbox.tenants[0].quota.memory: "lots" is not a positive Kubernetes quantity (e.g. "500m", "2", "4Gi")',
      "sandbox.tenants[0].quota.pods: 0 is below the minimum of 1; raise it to at least 1",
      'sandbox.tenants[0].quota.cpu: "8" is above cpuLimit "4"; no pod could use its requests: raise cpuLimit or lower cpu',
      "sandbox.tenants[0].stageQuotas.qa: is not a stage of this tenant (dev, dev, Prod); remove it or add the stage",
      "sandbox.tenants[0].containerDefaults.memoryRequest: is above memoryLimit (the API server refuses such a LimitRange); lower it or raise memoryLimit",
      'sandbox.tenants[0].groups.edit[0]: "system:masters" must be a directory group name without spaces or commas, not a system: group',
      'sandbox.tenants[0].groups.edit[1]: "team devs" must be a directory group name without spaces or commas, not a system: group',
      'sandbox.tenants[0].gitops.repoURL: "gitlab.example.internal/team.git" is not a Git repository URL (https://, ssh:// or git@host:group/repo.git)',
      'sandbox.tenants[0].gitops.path: "../chart" must be relative to the repository root, without ".."',
      "sandbox.tenants[0].ci.tokenHours: 0 is below the minimum of 1 (a CI token must expire); raise it to at least 1",
      'sandbox.tenants[0].podSecurity.reason: "needs" is no reason; say which pod needs what (e.g. "the log agent mounts hostPath /var/log")',
      'sandbox.tenants[0].egress[0].cidr: "10.0.0.0/33" is not an IPv4 CIDR (e.g. "10.50.0.0/24")',
      'sandbox.tenants[0].egress[0].ports[0].protocol: "SCTP" is not one of TCP, UDP',
      "sandbox.tenants[0].egress[0].ports[0].port: 70000 is above the maximum of 65535; lower it to at most 65535",
    ]);
  });

  it("opting below restricted needs a reason, and a token that lasts beyond 30 days is refused", () => {
    expect(problemsOf(withTenants([{ name: "team", podSecurity: { level: "baseline" }, ci: { tokenHours: 24 * 365 } }]))).toEqual([
      "sandbox.tenants[0].ci.tokenHours: 8760 is above the maximum of 720; lower it to at most 720",
      "sandbox.tenants[0].podSecurity.reason: is required (a non-empty string)",
    ]);
    expect(problemsOf(withTenants([{ name: "team", podSecurity: { level: "restricted", reason: "x".repeat(20) } }]))).toEqual([
      'sandbox.tenants[0].podSecurity.level: "restricted" is not one of baseline, privileged',
    ]);
  });
});
