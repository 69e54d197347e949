/**
 * GitLab CI ID tokens as the API server's second JWT issuer (security.gitlabCi), read back from what the shipped
 * environments render into the control-plane nodes' AuthenticationConfiguration, and tied to the RoleBindings tenants
 * get. No CEL evaluator is a dependency here: the expressions are checked for shape and for the claims and names they
 * use (README, "Tenants", says what only a cluster shows).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  AUTHENTICATION_CONFIG_PATH, authenticationConfig, GITLAB_CI_CLAIM_MAPPINGS, GITLAB_PROTECTED_REF_RULE, gitlabCiGroup,
} from "../../lib/cluster/authentication-config";
import { renderedCloudConfigs } from "../../lib/cluster/rendered-files";
import { GITLAB_CI_PREFIX, OIDC_PREFIX, securitySettings } from "../../lib/config/security";
import type { EnvironmentConfig } from "../../lib/config/types";
import { validateEnvironment } from "../../lib/config/validate";
import { environments } from "../../stacks/app";
import { tenants } from "../../stacks/tenants";
import { REFERENCE_DIR } from "../reference/sources";

const TYPES: Record<string, Record<string, string>> = JSON.parse(readFileSync(join(REFERENCE_DIR, "apiserver-config", "fields.json"), "utf8")).types;

/** The AuthenticationConfiguration a control-plane node of `env` gets. */
function renderedAuthentication(env: EnvironmentConfig): any {
  const [, text] = [...renderedCloudConfigs(env)].find(([name]) => name.includes("control-plane"))!;
  const file = (parse(text) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path === AUTHENTICATION_CONFIG_PATH)!;
  return parse(file.content);
}

/** Claims GitLab puts into every CI job's ID token (docs.gitlab.com/ci/secrets/id_token_authentication). */
const GITLAB_CLAIMS = ["project_path", "ref", "ref_type", "ref_protected", "namespace_path", "project_id", "environment", "pipeline_id", "job_id", "sub"];

describe.each(Object.entries(environments))("%s: GitLab's issuer beside the directory's", (name, env) => {
  const config = env as unknown as EnvironmentConfig;
  const auth = renderedAuthentication(config);
  const gitlab = securitySettings(validateEnvironment(config)).gitlabCi!;
  const [directory, ci] = auth.jwt;

  it("trusts GitLab with this environment's audience only, the directory issuer unchanged", () => {
    expect(auth.jwt).toHaveLength(2);
    expect(directory.claimMappings.username.prefix).toBe(OIDC_PREFIX);
    expect(ci.issuer).toEqual({ url: "https://gitlab.example.internal", audiences: [`kubernetes-${name}`] });
    expect(ci.issuer.url).not.toBe(directory.issuer.url); // the API server refuses an issuer listed twice
  });

  it("refuses unprotected refs' tokens on prod only (the tier default)", () => {
    expect(ci.claimValidationRules).toEqual(name === "prod" ? [GITLAB_PROTECTED_REF_RULE] : undefined);
    expect(gitlab.protectedRefsOnly).toBe(name === "prod");
  });

  it("names users and groups by CEL over GitLab's claims, never by a prefix (the API server allows no prefix with an expression)", () => {
    expect(ci.claimMappings).toEqual({ username: { expression: GITLAB_CI_CLAIM_MAPPINGS.username }, groups: { expression: GITLAB_CI_CLAIM_MAPPINGS.groups } });
    for (const expression of Object.values(GITLAB_CI_CLAIM_MAPPINGS)) {
      const used = [...expression.matchAll(/claims\.(\w+)/g)].map((m) => m[1]);
      expect(used.filter((c) => !GITLAB_CLAIMS.includes(c))).toEqual([]);
      // Every name it builds starts with gitlab: (no system: user or group can come out of a CI token).
      const literals = [...expression.matchAll(/'([^']*)'/g)].map((m) => m[1]).filter((l) => l.includes(":"));
      for (const l of literals.filter((l) => l.startsWith("gitlab") || l.includes("project_path"))) expect(l.startsWith(GITLAB_CI_PREFIX)).toBe(true);
      // Balanced brackets and quotes: the cheapest shape check without a CEL parser.
      expect(expression.split("'").length % 2).toBe(1);
      for (const [open, close] of [["(", ")"], ["[", "]"]]) expect(expression.split(open).length).toBe(expression.split(close).length);
    }
    expect(GITLAB_CI_CLAIM_MAPPINGS.username).toBe("'gitlab:project_path:' + claims.project_path + ':ref_type:' + claims.ref_type + ':ref:' + claims.ref");
  });

  it("every field exists in the upstream AuthenticationConfiguration types", () => {
    const [group, version] = auth.apiVersion.split("/");
    const jwtType = TYPES[`${group}/${version}/AuthenticationConfiguration`].jwt.slice(2);
    const fieldsOf = (type: string) => Object.keys(TYPES[type]);
    expect(Object.keys(ci).filter((k) => !fieldsOf(jwtType).includes(k))).toEqual([]);
    expect(Object.keys(ci.issuer).filter((k) => !fieldsOf(TYPES[jwtType].issuer).includes(k))).toEqual([]);
    for (const mapping of Object.values<Record<string, string>>(ci.claimMappings)) {
      expect(Object.keys(mapping).filter((k) => !fieldsOf(TYPES[TYPES[jwtType].claimMappings].username).includes(k))).toEqual([]);
    }
    // ClaimValidationRule (free-form in the field list): claim/requiredValue or expression/message.
    for (const rule of ci.claimValidationRules ?? []) expect(Object.keys(rule).sort()).toEqual(["expression", "message"]);
  });

  it("the group each GitLab tenant is bound to is one the groups expression builds", () => {
    const gitlabTenants = tenants.filter((t) => "ci" in t && "gitlabProject" in t.ci);
    expect(gitlabTenants.map((t) => t.name)).toEqual(["shop"]);
    // The expression's two shapes, with the project's path where the claim goes.
    const shapes = (project: string) => [`${GITLAB_CI_PREFIX}project_path:${project}`, `${GITLAB_CI_PREFIX}project_path:${project}:protected`];
    expect(GITLAB_CI_CLAIM_MAPPINGS.groups).toBe(
      "['gitlab:project_path:' + claims.project_path] + (claims.ref_protected == 'true' ? ['gitlab:project_path:' + claims.project_path + ':protected'] : [])",
    );
    expect(shapes("shop/deploy")).toEqual([gitlabCiGroup("shop/deploy", false), gitlabCiGroup("shop/deploy", true)]);
  });
});

describe("without GitLab", () => {
  it("the directory issuer alone, as before", () => {
    const oidc = { issuerUrl: "https://sso.example.internal/realms/corp", clientId: "kubernetes", usernameClaim: "email", groupsClaim: "groups", adminGroups: [], viewerGroups: [] };
    expect((authenticationConfig("1.35.9", oidc) as any).jwt).toHaveLength(1);
    expect((authenticationConfig("1.35.9", undefined) as any).jwt).toEqual([]);
  });

  it("the GitLab CA, when given, is the issuer's certificateAuthority", () => {
    const gitlab = { issuerUrl: "https://gitlab.example.internal", audience: "kubernetes-dev", protectedRefsOnly: false, caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" };
    const [ci] = (authenticationConfig("1.33.5", undefined, gitlab) as any).jwt;
    expect(ci.issuer.certificateAuthority).toBe(gitlab.caPem);
    expect(ci.claimValidationRules).toBeUndefined();
  });
});
