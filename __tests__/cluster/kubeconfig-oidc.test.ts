import { parse } from "yaml";
import { KUBELOGIN_EXTRA_SCOPES, renderOidcKubeconfig } from "../../lib/cluster/kubeconfig";
import { prod } from "../../stacks/prod";
import { synthEnvironments } from "../helpers/synth";

const ISSUER_CA = "-----BEGIN CERTIFICATE-----\nMIIBissuerCa\n-----END CERTIFICATE-----\n";

/** The kubeconfig_oidc output's Terraform expression with the cluster CA reference replaced by a stand-in. */
function evaluate(expression: string, caB64: string): string {
  const parts = [...expression.matchAll(/base64decode\("([A-Za-z0-9+/=]*)"\)|base64encode\(tls_self_signed_cert\.[^)]+\.cert_pem\)/g)];
  return parts.map((m) => (m[1] !== undefined ? Buffer.from(m[1], "base64").toString("utf8") : caB64)).join("");
}

describe("people's kubeconfig (kubelogin)", () => {
  const config = parse(
    renderOidcKubeconfig({ name: "prod", server: "https://10.20.30.10:6443", caCertB64: "Q0E=", issuerUrl: "https://sso.example.internal/realms/corp", clientId: "kubernetes", issuerCaPem: ISSUER_CA }),
  );

  it("cluster and context named after the environment (merges with the other environments'), user <env>-oidc", () => {
    expect(config.clusters).toEqual([{ name: "prod", cluster: { server: "https://10.20.30.10:6443", "certificate-authority-data": "Q0E=" } }]);
    expect(config.contexts).toEqual([{ name: "prod", context: { cluster: "prod", user: "prod-oidc" } }]);
    expect(config["current-context"]).toBe("prod");
  });

  it("the user is client-go's exec plugin running kubelogin (kubectl oidc-login get-token), no credential", () => {
    const [{ name, user }] = config.users;
    expect(name).toBe("prod-oidc");
    expect(Object.keys(user)).toEqual(["exec"]);
    expect(user.exec).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      command: "kubectl",
      args: [
        "oidc-login",
        "get-token",
        "--oidc-issuer-url=https://sso.example.internal/realms/corp",
        "--oidc-client-id=kubernetes",
        ...KUBELOGIN_EXTRA_SCOPES.map((s) => `--oidc-extra-scope=${s}`),
        `--certificate-authority-data=${Buffer.from(ISSUER_CA).toString("base64")}`,
      ],
      interactiveMode: "IfAvailable",
      provideClusterInfo: false,
    });
  });

  it("without an issuer CA kubelogin uses the system trust store", () => {
    const bare = parse(renderOidcKubeconfig({ name: "dev", server: "https://x:6443", caCertB64: "Q0E=", issuerUrl: "https://sso.example.internal/realms/corp", clientId: "kubernetes" }));
    expect(bare.users[0].user.exec.args.some((a: string) => a.startsWith("--certificate-authority"))).toBe(false);
  });
});

describe("kubeconfig_oidc output of the stacks", () => {
  const { stacks } = synthEnvironments();

  it.each(["sandbox", "dev", "prod"])("%s: not sensitive, only the cluster CA certificate referenced, parses to the people's kubeconfig", (env) => {
    const output = stacks[env].output.kubeconfig_oidc;
    expect(output.sensitive).toBeUndefined();
    const references = [...output.value.matchAll(/\b(tls_[a-z_]+|random_[a-z_]+|var)\.[^,)\s]+/g)].map((m) => m[0]);
    expect(references).toEqual([expect.stringMatching(/^tls_self_signed_cert\.cluster_pki_ca-cert_[A-Z0-9]+\.cert_pem$/)]);
    const config = parse(evaluate(output.value, "Q0E="));
    expect(config.clusters[0]).toEqual({ name: env, cluster: { server: `https://${stacks[env].output.api_endpoint.value.replace(/^https:\/\//, "")}`, "certificate-authority-data": "Q0E=" } });
    expect(config.users[0].user.exec.args).toContain(`--oidc-issuer-url=${prod.security.oidc.issuerUrl}`);
    expect(config.users[0].user.exec.args).toContain(`--oidc-client-id=${prod.security.oidc.clientId}`);
  });
});
