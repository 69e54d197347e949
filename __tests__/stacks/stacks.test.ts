import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TerraformVariable } from "cdktf";
import { ConfigError } from "../../lib/config/problems";
import { SITE_CA_VARIABLES } from "../../lib/platform/platform-ca";
import { renderedCloudConfigs } from "../../lib/cluster/rendered-files";
import { buildApp } from "../../stacks/app";
import { prod } from "../../stacks/prod";
import { sandboxCopy } from "../helpers/environments";
import { synthEnvironments } from "../helpers/synth";

const root = resolve(__dirname, "../..");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the app", () => {
  const secrets = {
    TF_VAR_vsphere_password: "vc-Pa55-4c8e1f",
    TF_HTTP_PASSWORD: "glpat-4f2a9c7e1b",
    TF_VAR_vsphere_user: "svc-k8s@vsphere.local",
    TF_VAR_oidc_client_secret: "oidc-5ecret-9b2e7d",
    TF_VAR_object_store_access_key_id: "AKIA5TORE7KEYID9XQ",
    TF_VAR_object_store_secret_access_key: "s3-5ecret-access-k3y-71c0",
    TF_VAR_tenant_billing_repo_password: "gldt-b1ll1ng-7c3e",
    TF_VAR_tls_site_ca_cert_pem: "-----BEGIN CERTIFICATE-----\nMIIBs1teCaCert5ecret\n-----END CERTIFICATE-----\n",
    TF_VAR_tls_site_ca_key_pem: "-----BEGIN PRIVATE KEY-----\nMIGs1teCaKey5ecret\n-----END PRIVATE KEY-----\n",
  };
  let synth: ReturnType<typeof synthEnvironments>;
  beforeAll(() => {
    Object.assign(process.env, secrets);
    synth = synthEnvironments();
  });
  afterAll(() => {
    for (const key of Object.keys(secrets)) delete process.env[key];
  });

  it("synthesizes exactly the stacks sandbox, dev and prod", () => {
    expect(Object.keys(synth.stacks).sort()).toEqual(["dev", "prod", "sandbox"]);
  });

  it("keeps sandbox state in a local file at the project root and dev/prod in GitLab's HTTP backend", () => {
    expect(synth.stacks.sandbox.terraform.backend).toEqual({ local: { path: "../../../terraform.sandbox.tfstate" } });
    for (const env of ["dev", "prod"]) {
      // No address in the synth output: Terraform reads TF_HTTP_ADDRESS/_LOCK_/_UNLOCK_ and credentials.
      expect(synth.stacks[env].terraform.backend).toEqual({ http: { lock_method: "POST", unlock_method: "DELETE", retry_wait_min: 5 } });
    }
  });

  it("takes vCenter credentials from variables, the password marked sensitive", () => {
    for (const stack of Object.values<any>(synth.stacks)) {
      expect(stack.variable.vsphere_password).toMatchObject({ sensitive: true, type: "string" });
      expect(stack.provider.vsphere[0]).toMatchObject({
        password: "${var.vsphere_password}",
        user: "${var.vsphere_user}",
        vsphere_server: "${var.vsphere_server}",
      });
    }
  });

  it("pins the provider versions of the prebuilt bindings", () => {
    expect(synth.stacks.prod.terraform.required_providers.vsphere).toEqual({ source: "vmware/vsphere", version: "2.15.0" });
  });

  it("configures the kubernetes and helm providers from the cluster connection in every stack", () => {
    for (const [env, stack] of Object.entries<any>(synth.stacks)) {
      const vip = { sandbox: "10.20.10.10", dev: "10.20.20.10", prod: "10.20.30.10" }[env];
      const pki = Object.keys(stack.resource.tls_self_signed_cert).find((k) => k.includes("ca-cert"));
      const adminKey = Object.keys(stack.resource.tls_private_key).find((k) => k.includes("admin-key"));
      const connection = {
        host: `https://${vip}:6443`,
        cluster_ca_certificate: `\${tls_self_signed_cert.${pki}.cert_pem}`,
        client_key: `\${tls_private_key.${adminKey}.private_key_pem}`,
        client_certificate: expect.stringMatching(/^\$\{tls_locally_signed_cert\.cluster_pki_admin-cert_\w+\.cert_pem\}$/),
      };
      expect(stack.provider.kubernetes[0]).toEqual(connection);
      expect(stack.provider.helm[0].kubernetes).toEqual(connection);
    }
  });

  it("installs nothing in a cluster before the API readiness gate has passed", () => {
    for (const stack of Object.values<any>(synth.stacks)) {
      const gate = `terraform_data.${Object.keys(stack.resource.terraform_data)[0]}`;
      const releases = Object.values<any>(stack.resource.helm_release);
      expect(releases.length).toBeGreaterThanOrEqual(9);
      // Every release waits on the gate, directly or through the add-ons it depends on.
      const byAddress = new Map(Object.entries<any>(stack.resource.helm_release).map(([k, v]) => [`helm_release.${k}`, v]));
      const reachesGate = (release: any, seen = new Set<string>()): boolean =>
        (release.depends_on ?? []).some((dep: string) => {
          if (dep === gate) return true;
          if (seen.has(dep) || !byAddress.has(dep)) return false;
          seen.add(dep);
          return reachesGate(byAddress.get(dep), seen);
        });
      for (const release of releases) expect([release.name, reachesGate(release)]).toEqual([release.name, true]);
    }
  });

  it("writes every node's reviewable cloud-config, exactly as the pure renderer produces it", () => {
    const expected = renderedCloudConfigs(prod);
    const dir = join(synth.outdir, "rendered", "prod");
    expect(readdirSync(dir).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(readFileSync(join(dir, name), "utf8")).toBe(text);
  });

  it("never writes a secret given as input into cdktf.out", () => {
    const files = filesUnder(synth.outdir);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    }
  });

  it("puts tenant CI tokens only into sensitive outputs (never a resource attribute or a plain output)", () => {
    for (const [env, stack] of Object.entries(synth.stacks)) {
      const refs = (value: unknown) => (JSON.stringify(value).match(/kubernetes_token_request_v1\.[\w-]+\.token/g) ?? []).length;
      const outputs = Object.entries<any>(stack.output).filter(([, o]) => refs(o) > 0);
      // shop deploys with GitLab CI ID tokens: no ServiceAccount token, and its GitLab kubeconfig holds no credential.
      expect([env, outputs.map(([name, o]) => [name, o.sensitive])]).toEqual([env, ["billing", "reports"].map((t) => [`tenant_${t}_kubeconfig`, true])]);
      expect([env, stack.output.tenant_shop_gitlab_kubeconfig.sensitive]).toEqual([env, undefined]);
      const inResources = Object.values<any>(stack.resource).flatMap((byName) => Object.values<any>(byName)).filter((r) => refs(r) > 0);
      expect([env, inResources]).toEqual([env, []]);
    }
  });

  it("takes a tenant's Git password from a sensitive variable, referenced only by its Argo CD repository Secret's data", () => {
    for (const [env, stack] of Object.entries(synth.stacks)) {
      expect([env, stack.variable.tenant_billing_repo_password]).toEqual([env, expect.objectContaining({ type: "string", sensitive: true })]);
      const all = Object.entries<any>(stack.resource).flatMap(([type, byName]) => Object.values<any>(byName).map((r) => [type, r] as const));
      const users = all.filter(([, r]) => JSON.stringify(r).includes("var.tenant_billing_repo_password"));
      expect([env, users.map(([type, r]) => [type, r.data?.password])]).toEqual([env, [["kubernetes_secret_v1", "${var.tenant_billing_repo_password}"]]]);
      expect([env, JSON.stringify(stack.output)]).not.toContain("tenant_billing_repo_password");
    }
  });

  it("takes the OIDC web client's secret from a sensitive variable, referenced only through set_sensitive", () => {
    for (const [env, stack] of Object.entries(synth.stacks)) {
      expect([env, stack.variable.oidc_client_secret]).toEqual([env, expect.objectContaining({ type: "string", sensitive: true })]);
      const uses = Object.values<any>(stack.resource.helm_release).flatMap((r) =>
        [...(r.values ?? []), ...(r.set ?? []).map((x: any) => x.value)].filter((v: string) => v.includes("var.oidc_client_secret")),
      );
      expect([env, uses]).toEqual([env, []]);
      const sensitive = Object.values<any>(stack.resource.helm_release).flatMap((r) => (r.set_sensitive ?? []).filter((x: any) => x.value.includes("var.oidc_client_secret")).map((x: any) => x.name));
      expect(sensitive.sort()).toEqual(["configs.secret.extra.oidc\\.clientSecret", "grafana.envRenderSecret.GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET"]);
    }
  });

  it("gives Loki the object store's keys only through a Secret Terraform writes (a variable on prod, generated keys in sandbox/dev)", () => {
    for (const [env, stack] of Object.entries(synth.stacks)) {
      const keyRefs = /var\.object_store_|random_password\.object-store/;
      const loki = Object.values<any>(stack.resource.helm_release).find((r) => r.name === "loki");
      // Values carry only Loki's environment references; set_sensitive is not needed at all.
      expect([env, keyRefs.test(JSON.stringify(loki.values)), loki.set_sensitive]).toEqual([env, false, undefined]);
      expect(loki.values[0]).toContain("accessKeyId: $${AWS_ACCESS_KEY_ID}");
      const secret = Object.values<any>(stack.resource.kubernetes_secret_v1).find((r) => r.metadata.name === "loki-object-store");
      const expected = env === "prod" ? /^\$\{var\.object_store_/ : /^\$\{random_password\.object-store_/;
      expect([env, Object.values<string>(secret.data).every((v) => expected.test(v))]).toEqual([env, true]);
    }
  });

  it("gives the object store's keys (variables on prod, random_password in-cluster) only to Kubernetes Secrets, never to Helm values", () => {
    const keyRef = /var\.object_store_(access_key_id|secret_access_key)|random_password\.object-store_/;
    for (const [env, stack] of Object.entries(synth.stacks)) {
      if (stack.variable.object_store_access_key_id) {
        expect([env, stack.variable.object_store_secret_access_key]).toEqual([env, expect.objectContaining({ type: "string", sensitive: true })]);
      }
      const inReleases = Object.values<any>(stack.resource.helm_release).filter((r) => keyRef.test(JSON.stringify(r)));
      expect([env, inReleases.map((r) => r.name)]).toEqual([env, []]);
      // kubernetes_secret_v1 `data` is sensitive in the provider schema: plans never print it.
      const holders = Object.values<any>(stack.resource.kubernetes_secret_v1 ?? {}).filter((r) => keyRef.test(JSON.stringify(r.data ?? {})));
      const expected = stack.variable.object_store_access_key_id ? ["loki-object-store", "velero-credentials"] : ["loki-object-store", "object-store-user-keys", "velero-credentials"];
      expect([env, holders.map((r) => r.metadata.name).sort()]).toEqual([env, expected]);
    }
  });

  it("declares the site CA variables once per stack (one PlatformCa for cert-manager and the nodes), sensitive, unchanged", () => {
    for (const name of Object.values(SITE_CA_VARIABLES)) {
      const declarations = synth.app.node.findAll().filter((c) => c instanceof TerraformVariable && c.friendlyUniqueId === name);
      // cdktf writes a second declaration of the same name over the first without a word: count constructs.
      expect([name, declarations.map((c) => c.node.path).sort()]).toEqual([name, ["dev/Default/platform-ca/" + name, "prod/Default/platform-ca/" + name, "sandbox/Default/platform-ca/" + name]]);
    }
    for (const stack of Object.values<any>(synth.stacks)) {
      expect(stack.variable.tls_site_ca_cert_pem).toEqual({ description: "PEM certificate of the site CA that signs the platform's TLS certificates", sensitive: true, type: "string" });
      expect(stack.variable.tls_site_ca_key_pem).toEqual({ description: "PEM private key of the site CA (an intermediate CA for this environment is best)", sensitive: true, type: "string" });
    }
  });

  it("writes the site CA to the control-plane nodes of sandbox/dev (in-cluster object store) only, as a placeholder in the rendered files", () => {
    for (const [env, stack] of Object.entries<any>(synth.stacks)) {
      const vms = Object.values<any>(stack.resource.vsphere_virtual_machine);
      const readers = vms.filter((vm) => vm.extra_config["guestinfo.userdata"].includes("base64encode(var.tls_site_ca_cert_pem)")).map((vm) => vm.name);
      const controlPlane = vms.map((vm) => vm.name).filter((n: string) => n.includes("-control-plane-"));
      expect([env, readers]).toEqual([env, env === "prod" ? [] : controlPlane]);
      for (const node of vms.map((vm) => vm.name as string)) {
        const text = readFileSync(join(synth.outdir, "rendered", env, `${node}.cloud-config.yaml`), "utf8");
        const expected = readers.includes(node) ? 1 : 0;
        expect([node, text.split("<secret:site-ca-cert>").length - 1, text.includes("S3_CA_FILE='/etc/kubernetes/etcd-snapshot/s3-ca.crt'")]).toEqual([node, expected, expected === 1]);
      }
    }
  });

  it("validates every environment before creating any stack: one error, nothing written", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "cdktf-bad-")), "out");
    const bad = sandboxCopy();
    bad.workers[0].ips = ["10.20.10.300"];
    expect(() => buildApp({ outdir, environments: [sandboxCopy(), bad] }).synth()).toThrow(ConfigError);
    expect(existsSync(outdir)).toBe(false);
  });

});

describe("stacks/ as a consumer of the library", () => {
  it("imports only the public API (../lib), cdktf and its own files, like an outside infra repo", () => {
    for (const file of readdirSync(join(root, "stacks")).filter((f) => f.endsWith(".ts"))) {
      const imports = [...readFileSync(join(root, "stacks", file), "utf8").matchAll(/^import[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
      const internal = imports.filter((m) => m.startsWith("../") && m !== "../lib");
      expect([file, internal]).toEqual([file, []]);
    }
  });
});
