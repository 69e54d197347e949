import { ConfigError } from "../../lib/config/problems";
import { allNodes } from "../../lib/config/pool-nodes";
import { prodLike, sandboxLike } from "./fixtures";
import { synthCluster, type Synthesized } from "./synth-helpers";

const decodeLiterals = (expr: string): string =>
  [...expr.matchAll(/base64decode\("([A-Za-z0-9+/=]*)"\)/g)].map((m) => Buffer.from(m[1], "base64").toString("utf8")).join("\u0000");

describe("KubeadmCluster synth", () => {
  let prod: Synthesized;
  beforeAll(() => {
    prod = synthCluster(prodLike);
  });

  test("one VM per node, in the pools the foundation names (control-plane, workers-<pool>)", () => {
    const vms = prod.json.resource.vsphere_virtual_machine as Record<string, { name: string; extra_config: Record<string, string> }>;
    expect(Object.values(vms).map((vm) => vm.name).sort()).toEqual(allNodes(prodLike).map((n) => n.name).sort());
    expect(prod.cluster.controlPlane.node.id).toBe("control-plane");
    expect(prod.cluster.workerPools.map((p) => p.node.id)).toEqual(["workers-storage", "workers-general"]);
    // Control-plane nodes: their own text; workers: their pool's local with their values put in (pool-cloud-config.ts).
    for (const vm of Object.values(vms)) {
      const userData = vm.extra_config["guestinfo.userdata"];
      if (vm.name.includes("control-plane")) expect(userData).toMatch(/^\$\{base64gzip\(join\("", \[base64decode\("/);
      else expect(userData).toMatch(/^\$\{base64gzip\(replace\(.*local\.[\w-]+, "<node:name>", /);
    }
  });

  test("no private key, token or certificate key in cdk.tf.json: only references to the tls/random resources", () => {
    expect(prod.text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    const literals = Object.values(prod.json.resource.vsphere_virtual_machine as Record<string, { extra_config: Record<string, string> }>)
      .map((vm) => decodeLiterals(vm.extra_config["guestinfo.userdata"]))
      .join("\n");
    expect(literals).toContain("kind: JoinConfiguration");
    expect(literals).not.toMatch(/PRIVATE KEY|<secret:|[a-z0-9]{6}\.[a-z0-9]{16}/);
    expect(prod.text).toContain("base64encode(tls_private_key.cluster_pki_ca-key_");
    expect(prod.text).toMatch(/join\(\\"\.\\", \[random_string\.cluster_pki_bootstrap-token-id_[A-Z0-9]+\.result, random_password\.cluster_pki_bootstrap-token-secret_[A-Z0-9]+\.result\]\)/);
 
    // The join token's Secret: its secret half only as a reference (data is sensitive in the provider schema).
    const [secret] = Object.values(prod.json.resource.kubernetes_secret_v1 as Record<string, { data: Record<string, string> }>);
    expect(secret.data["token-secret"]).toMatch(/^\$\{random_password\.cluster_pki_bootstrap-token-secret_[A-Z0-9]+\.result\}$/);
  });

  test("every secret-bearing resource and output is sensitive or a reference", () => {
    const out = prod.json.output as Record<string, { sensitive?: boolean; value: string }>;
    expect(out.kubeconfig.sensitive).toBe(true);
    const nonSensitive = Object.entries(out).filter(([, o]) => !o.sensitive).map(([, o]) => JSON.stringify(o.value));
    for (const v of nonSensitive) expect(v).not.toMatch(/private_key_pem|random_password|bootstrap-token/);
  });

  test("kubeconfig: cluster, user and context are named after the environment", () => {
    const value = (prod.json.output as Record<string, { value: string }>).kubeconfig.value;
    const text = decodeLiterals(value);
    for (const key of ["clusters:\n  - name: prod", "users:\n  - name: prod", "contexts:\n  - name: prod", "cluster: prod", "user: prod", "current-context: prod", "server: https://10.20.30.10:6443"]) {
      expect(text).toContain(key);
    }
    expect(value).toContain("base64encode(tls_private_key.cluster_pki_admin-key_");
  });

  test("admin client certificate: group kubeadm:cluster-admins, not system:masters", () => {
    const csr = Object.values(prod.json.resource.tls_cert_request as Record<string, { subject: { organization: string }[] }>);
    expect(csr.map((c) => c.subject[0].organization)).toEqual(["kubeadm:cluster-admins"]);
    expect(prod.text).not.toContain("system:masters");
  });

  test("the readiness gate waits on /readyz with the CA and depends on every VM", () => {
    // The other terraform_data waits for kubeadm-config (control-plane-hardening.test.ts).
    const gates = Object.entries(prod.json.resource.terraform_data as Record<string, any>).filter(([k]) => k.includes("api-ready")).map(([, g]) => g);
    expect(gates).toHaveLength(1);
    const [gate] = gates;
    const vmRefs = Object.keys(prod.json.resource.vsphere_virtual_machine).map((k) => `vsphere_virtual_machine.${k}`);
    expect([...gate.depends_on].sort()).toEqual(vmRefs.sort());
    const exec = gate.provisioner[0]["local-exec"];
    expect(exec.command).toContain('--cacert "$ca" "$K8S_ENDPOINT/readyz"');
    expect(exec.command).not.toMatch(/\$\{|%\{|curl -k|--insecure/);
    expect(exec.environment.K8S_ENDPOINT).toBe("https://10.20.30.10:6443");
    expect(exec.environment.K8S_CA_PEM).toMatch(/^\$\{tls_self_signed_cert\.cluster_pki_ca-cert_[A-Z0-9]+\.cert_pem\}$/);
    expect(Object.keys(gate.triggers_replace)).toEqual(["control_plane_1", "control_plane_2", "control_plane_3"]);
  });

  test("connection: endpoint on the VIP, credentials from the PKI", () => {
    expect(prod.cluster.connection.host).toBe("https://10.20.30.10:6443");
  });

  test("Kubernetes version must equal the template's: one ConfigError with path, both values and the fix", () => {
    let error: unknown;
    try {
      synthCluster(sandboxLike, "1.31.2");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'sandbox.kubernetes.version: "1.30.9" differs from the node template "rocky9-k8s-1.33.4", built for Kubernetes "1.31.2" (config); set kubernetes.version to "1.31.2" or build a template for "1.30.9" (packer/)',
    ]);
  });
});
