import { ADMISSION_POLICY_NAMES, JOIN_TOKEN_GRACE_HOURS, securitySettings } from "../../lib/config/security";
import { validateEnvironment } from "../../lib/config/validate";
import { prodCopy, sandboxCopy } from "../helpers/environments";
import { problemsOf } from "../helpers/problems";

describe("security settings", () => {
  it("turns every control on by default, with the tier's join-token rotation", () => {
    const bare = prodCopy();
    delete bare.security; // the example stacks configure the site's OIDC issuer: the defaults are what is left
    delete bare.tenants; // one of them deploys with GitLab CI tokens, which need security.gitlabCi
    const prod = securitySettings(validateEnvironment(bare));
    expect(prod).toEqual({
      auditLog: { maxAgeDays: 30, maxSizeMiB: 100, maxBackups: 10 },
      encryptionAtRest: true,
      encryptionKeys: ["key1"],
      hostFirewall: true,
      joinTokenRotationHours: 24,
      joinTokenTtlHours: 24 + JOIN_TOKEN_GRACE_HOURS,
      podSecurity: { enforce: "baseline", warn: "restricted", audit: "restricted" },
      networkPolicies: true,
      oidc: undefined,
      admissionPolicies: Object.fromEntries(ADMISSION_POLICY_NAMES.map((name) => [name, "Enforce"])),
      gitlabCi: undefined,
    });
    expect(securitySettings(validateEnvironment(sandboxCopy())).joinTokenRotationHours).toBe(168);
  });

  it("lets each control be overridden, and resolves OIDC claim defaults", () => {
    const env = prodCopy();
    delete env.tenants;
    env.security = {
      auditLog: false,
      encryptionAtRest: false,
      joinTokenRotationHours: 6,
      podSecurity: { enforce: "restricted" },
      oidc: { issuerUrl: "https://sso.example.internal/realms/corp", clientId: "kubernetes", adminGroups: ["platform-admins"] },
    };
    const s = securitySettings(validateEnvironment(env));
    expect(s.auditLog).toBeUndefined();
    expect(s.encryptionAtRest).toBe(false);
    expect(s.joinTokenTtlHours).toBe(6 + JOIN_TOKEN_GRACE_HOURS);
    expect(s.podSecurity).toEqual({ enforce: "restricted", warn: "restricted", audit: "restricted" });
    expect(s.oidc).toMatchObject({ usernameClaim: "email", groupsClaim: "groups", adminGroups: ["platform-admins"], viewerGroups: [] });
  });

  it.each<[string, unknown, string]>([
    ["unknown field", { auditlog: false }, 'prod.security.auditlog: unknown field (typo?)'],
    ["non-boolean switch", { hostFirewall: "yes" }, 'prod.security.hostFirewall: "yes" must be true or false'],
    ["rotation of zero hours", { joinTokenRotationHours: 0 }, "prod.security.joinTokenRotationHours: 0 is below the minimum of 1"],
    ["unknown Pod Security level", { podSecurity: { enforce: "strict" } }, 'prod.security.podSecurity.enforce: "strict" is not one of privileged, baseline, restricted'],
    ["http issuer", { oidc: { issuerUrl: "http://sso.example.internal", clientId: "k" } }, 'prod.security.oidc.issuerUrl: "http://sso.example.internal" must be an https URL'],
    ["missing client id", { oidc: { issuerUrl: "https://sso.example.internal" } }, "prod.security.oidc.clientId: is required"],
    ["system: group", { oidc: { issuerUrl: "https://sso.example.internal", clientId: "k", adminGroups: ["system:masters"] } },
      'prod.security.oidc.adminGroups[0]: "system:masters" must be a directory group name'],
    ["no encryption key", { encryptionKeys: [] }, 'prod.security.encryptionKeys: must name at least one key'],
    ["an encryption key name that is no construct id", { encryptionKeys: ["Key 1"] }, 'prod.security.encryptionKeys[0]: "Key 1" must be 1-32 lowercase letters, digits or dashes'],
    ["an encryption key listed twice", { encryptionKeys: ["key2", "key2"] }, 'prod.security.encryptionKeys[1]: "key2" is listed twice'],
    ["identity not first", { encryptionKeys: ["key1", "identity"] }, 'prod.security.encryptionKeys[1]: "identity" may only come first'],
    ["identity and no key", { encryptionKeys: ["identity"] }, 'prod.security.encryptionKeys: must name at least one key besides "identity"'],
    ["audit log size of zero", { auditLog: { maxSizeMiB: 0 } }, "prod.security.auditLog.maxSizeMiB: 0 is below the minimum of 1"],
  ])("rejects %s with one line naming the field", (_name, security, expected) => {
    const env = prodCopy();
    delete env.tenants;
    env.security = security;
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});

describe("security.gitlabCi: GitLab CI ID tokens as a second issuer", () => {
  const gitlab = { issuerUrl: "https://gitlab.example.internal", audience: "kubernetes-prod" };
  const withGitlab = (gitlabCi: unknown, env = prodCopy()) => ({ ...env, security: { ...env.security, gitlabCi } });

  it("refuses unprotected refs on prod by default, not on sandbox; the switch wins", () => {
    expect(securitySettings(validateEnvironment(withGitlab(gitlab))).gitlabCi).toEqual({ ...gitlab, protectedRefsOnly: true });
    expect(securitySettings(validateEnvironment(withGitlab(gitlab, sandboxCopy()))).gitlabCi?.protectedRefsOnly).toBe(false);
    expect(securitySettings(validateEnvironment(withGitlab({ ...gitlab, protectedRefsOnly: false }))).gitlabCi?.protectedRefsOnly).toBe(false);
  });

  it.each<[string, unknown, string]>([
    ["an http issuer", { ...gitlab, issuerUrl: "http://gitlab.example.internal" }, 'prod.security.gitlabCi.issuerUrl: "http://gitlab.example.internal" must be an https URL without query or fragment'],
    ["a trailing slash", { ...gitlab, issuerUrl: "https://gitlab.example.internal/" }, 'prod.security.gitlabCi.issuerUrl: "https://gitlab.example.internal/" ends with "/", which GitLab\'s "iss" claim never does'],
    ["the directory's issuer", { ...gitlab, issuerUrl: "https://sso.example.internal/realms/corp" }, "is also security.oidc.issuerUrl; the API server takes each issuer once"],
    ["no audience", { issuerUrl: gitlab.issuerUrl }, "prod.security.gitlabCi.audience: is required"],
    ["two audiences in one", { ...gitlab, audience: "kubernetes-prod, kubernetes-dev" }, 'prod.security.gitlabCi.audience: "kubernetes-prod, kubernetes-dev" must be one audience without spaces or commas, e.g. "kubernetes-prod"'],
    ["a CA that is no PEM", { ...gitlab, caPem: "MIIB..." }, "prod.security.gitlabCi.caPem: must be a PEM certificate"],
    ["a string switch", { ...gitlab, protectedRefsOnly: "yes" }, 'prod.security.gitlabCi.protectedRefsOnly: "yes" must be true or false'],
  ])("rejects %s with one line naming the field", (_name, gitlabCi, expected) => {
    const problems = problemsOf(withGitlab(gitlabCi));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it("needs structured authentication (Kubernetes 1.32+)", () => {
    const env = withGitlab(gitlab);
    env.kubernetes.version = "1.31.4";
    const problems = problemsOf(env).filter((p) => p.includes("gitlabCi"));
    expect(problems).toEqual([
      'prod.security.gitlabCi: needs the API server\'s structured authentication (Kubernetes 1.32+ here), but kubernetes.version is "1.31.4"; upgrade first or remove gitlabCi',
    ]);
  });
});
