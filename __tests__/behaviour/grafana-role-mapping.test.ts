import { spawnSync } from "node:child_process";
import { grafanaRoleAttributePath, type OidcSettings } from "../../lib/platform/oidc-sso";
import { describeWithTool } from "../tools";

/**
 * Grafana maps the ID token's claims to a role with role_attribute_path, a JMESPath expression. Evaluated
 * here by python3-jmespath (Debian), an implementation of the same specification as Grafana's go-jmespath,
 * on claims as an issuer sends them: the role each person gets is the role the README promises.
 */
function evaluate(expression: string, claims: unknown): unknown {
  const script = "import sys, json, jmespath\nq = json.load(sys.stdin)\nprint(json.dumps(jmespath.search(q['e'], q['c'])))";
  const run = spawnSync("python3", ["-c", script], { input: JSON.stringify({ e: expression, c: claims }), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`jmespath failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const oidc: OidcSettings = {
  issuerUrl: "https://sso.example.internal/realms/corp",
  clientId: "kubernetes",
  webClientId: "platform-uis",
  usernameClaim: "email",
  groupsClaim: "groups",
  adminGroups: ["platform-admins", "sre"],
  viewerGroups: ["developers"],
};

describeWithTool("python3", ["-c", "import jmespath"])("Grafana role mapping, evaluated by a real JMESPath implementation", () => {
  const path = grafanaRoleAttributePath(oidc);

  it.each<[string, string[], string | null]>([
    ["an admin group", ["platform-admins"], "Admin"],
    ["the other admin group", ["sre", "staff"], "Admin"],
    ["admin wins over viewer", ["developers", "sre"], "Admin"],
    ["a viewer group", ["developers"], "Viewer"],
    ["no mapped group (role_attribute_strict refuses the login)", ["staff"], null],
    ["no group at all", [], null],
    ["a group whose name only contains an admin group's", ["platform-admins-old"], null],
  ])("%s -> %s", (_case, groups, role) => {
    expect(evaluate(path, { email: "alice@example.internal", groups })).toBe(role);
  });

  it("a claim name with dots and a group with a quote", () => {
    const odd = grafanaRoleAttributePath({ ...oidc, groupsClaim: "realm.groups", adminGroups: ["o'brien"], viewerGroups: [] });
    expect(evaluate(odd, { "realm.groups": ["o'brien"] })).toBe("Admin");
    expect(evaluate(odd, { realm: { groups: ["o'brien"] } })).toBeNull(); // the claim is named, not a nested path; missing = no group
  });

  it("no groups configured: nobody gets a role", () => {
    expect(evaluate(grafanaRoleAttributePath({ ...oidc, adminGroups: [], viewerGroups: [] }), { groups: ["platform-admins"] })).toBeNull();
  });
});
