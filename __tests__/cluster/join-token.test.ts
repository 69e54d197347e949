import { REGENERATED_SECRET_LABEL } from "../../lib/config/labels";
import { parse, parseAllDocuments } from "yaml";
import { allNodes } from "../../lib/config/pool-nodes";
import { JOIN_TOKEN_GRACE_HOURS } from "../../lib/config/security";
import { renderCloudConfig } from "../../lib/cluster/cloud-config";
import { INIT_TOKEN_PLACEHOLDER, INIT_TOKEN_TTL } from "../../lib/cluster/kubeadm-config";
import { placeholderFor, placeholderSecrets } from "../../lib/cluster/secrets";
import { BOOTSTRAP_TOKEN_SECRET_TYPE } from "../../lib/cluster/join-token";
import { BOOTSTRAP_TOKEN_SECRET_TYPE as GATE_SECRET_TYPE } from "../../lib/review/blast-radius-rules";
import { IGNORED_NODE_CHANGES } from "../../lib/vsphere/node-pool";
import { copyOf } from "../helpers/environments";
import { resourcesByPath, synthEnvironments } from "../helpers/synth";
import { dev } from "../../stacks/dev";
import { prod } from "../../stacks/prod";
import { sandbox } from "../../stacks/sandbox";
import { prodLike } from "./fixtures";

/** The join token as synthesized: rotation, the random halves it keeps, the Secret in kube-system. */
describe("join token: synthesized resources", () => {
  const custom = copyOf(dev);
  custom.name = "custom";
  custom.security = { ...custom.security, joinTokenRotationHours: 12 };
  const { stacks } = synthEnvironments([sandbox, dev, prod, custom]);
  const one = (stack: any, type: string, path: string) => {
    const found = resourcesByPath(stack, type)[path];
    if (!found) throw new Error(`no ${type} at ${path}`);
    return found;
  };
  const address = (type: string, r: any) => `${type}.${r["//"].metadata.uniqueId}`;

  it.each([
    ["sandbox", 168],
    ["dev", 72],
    ["prod", 24],
    ["custom", 12],
  ])("%s: time_rotating rotates every %i hours (tier default, or security.joinTokenRotationHours)", (env, hours) => {
    expect(one(stacks[env], "time_rotating", "cluster/pki/bootstrap-token-rotation").rotation_hours).toBe(hours);
    // Tenants' CI tokens rotate with their own time_rotating (tenants/<tenant>/<stage>/ci/rotation).
    expect(Object.keys(stacks[env].resource.time_rotating).filter((k) => !k.startsWith("tenants_"))).toHaveLength(1);
  });

  it("the stacks declare hashicorp/time at the binding's version", () => {
    expect(stacks.prod.terraform.required_providers.time).toEqual({ source: "hashicorp/time", version: "0.13.1" });
    expect(stacks.prod.provider.time).toEqual([{}]);
  });

  it("both random halves keep the rotation's id, at their old addresses", () => {
    const rotation = one(stacks.prod, "time_rotating", "cluster/pki/bootstrap-token-rotation");
    for (const [type, path] of [["random_string", "cluster/pki/bootstrap-token-id"], ["random_password", "cluster/pki/bootstrap-token-secret"]]) {
      const random = one(stacks.prod, type, path);
      expect(random.keepers).toEqual({ rotation: `\${${address("time_rotating", rotation)}.id}` });
    }
    expect(Object.keys(stacks.prod.resource.random_string)).toEqual(["cluster_pki_bootstrap-token-id_2BE0A772"]);
    expect(Object.keys(stacks.prod.resource.random_password)).toContain("cluster_pki_bootstrap-token-secret_FB90511B");
  });

  it("the Secret is a bootstrap token in kube-system: name, type, every data key, expiration = rotation + grace", () => {
    const s = stacks.prod;
    const secret = one(s, "kubernetes_secret_v1", "cluster/join-token/secret");
    const id = `\${${address("random_string", one(s, "random_string", "cluster/pki/bootstrap-token-id"))}.result}`;
    const rotation = address("time_rotating", one(s, "time_rotating", "cluster/pki/bootstrap-token-rotation"));
    expect(secret.metadata).toEqual({ name: `bootstrap-token-${id}`, namespace: "kube-system", labels: { [REGENERATED_SECRET_LABEL]: "true" } });
    expect(secret.type).toBe("bootstrap.kubernetes.io/token");
    expect([BOOTSTRAP_TOKEN_SECRET_TYPE, GATE_SECRET_TYPE]).toEqual([secret.type, secret.type]); // the review gate knows it
    expect(secret.data).toEqual({
      "token-id": id,
      "token-secret": `\${${address("random_password", one(s, "random_password", "cluster/pki/bootstrap-token-secret"))}.result}`,
      expiration: `\${timeadd(${rotation}.rotation_rfc3339, "${JOIN_TOKEN_GRACE_HOURS}h")}`,
      "usage-bootstrap-authentication": "true",
      "usage-bootstrap-signing": "true",
      "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token",
      description: expect.stringContaining("Terraform-managed"),
    });
    expect(secret.depends_on).toEqual([address("terraform_data", one(s, "terraform_data", "cluster/api-ready/wait"))]);
    // join-token-plan.test.ts: create_before_destroy would be forced onto every VM behind the gate.
    expect(secret.lifecycle).toBeUndefined();
  });

  it("no token value in cdk.tf.json: the Secret's data and every user-data only reference the random results", () => {
    for (const env of ["sandbox", "dev", "prod"]) {
      const text = JSON.stringify(stacks[env]);
      expect(text).not.toMatch(/"[a-z0-9]{6}\.[a-z0-9]{16}"|<secret:/);
    }
  });
});

describe("join token: kubeadm configs", () => {
  const nodes = allNodes(prodLike);
  const files = (name: string) => (parse(renderCloudConfig(prodLike, nodes.find((n) => n.name === name)!, placeholderSecrets())) as { write_files: { path: string; content: string }[] }).write_files;
  const docs = (name: string, file: string) => {
    const f = files(name).find((w) => w.path === `/etc/kubernetes/bootstrap/${file}`);
    return f && parseAllDocuments(f.content).map((d) => d.toJS() as Record<string, any>);
  };

  it("kubeadm init creates only a throwaway token from the node (placeholder, short ttl), never Terraform's", () => {
    const [init] = docs("prod-control-plane-1", "kubeadm-init.yaml")!;
    expect(init.bootstrapTokens).toEqual([expect.objectContaining({ token: INIT_TOKEN_PLACEHOLDER, ttl: INIT_TOKEN_TTL })]);
    const initFile = files("prod-control-plane-1").find((w) => w.path.endsWith("kubeadm-init.yaml"))!;
    expect(initFile.content).not.toContain(placeholderFor("bootstrapToken"));
    expect(initFile.content).not.toMatch(/ttl: "?0s/);
  });

  it.each(nodes.map((n) => [n.name]))("%s joins with Terraform's token (discovery and TLS bootstrap)", (name) => {
    const [join] = docs(name, "kubeadm-join.yaml")!;
    expect(join.discovery.bootstrapToken.token).toBe(placeholderFor("bootstrapToken"));
    expect(join.discovery.tlsBootstrapToken).toBe(placeholderFor("bootstrapToken"));
  });
});

describe("join token: running VMs", () => {
  it("ignore user-data changes, so a rotation never updates (or reboots) a running VM", () => {
    expect(IGNORED_NODE_CHANGES).toContain("extra_config");
    const stack = synthEnvironments([prod]).stacks.prod;
    const vms = resourcesByPath(stack, "vsphere_virtual_machine");
    for (const vm of Object.values<any>(vms)) {
      expect(vm.lifecycle.ignore_changes).toContain("extra_config");
      // A worker's user-data is its pool's local with its own values put in (lib/cluster/pool-cloud-config.ts).
      const userData: string = vm.extra_config["guestinfo.userdata"];
      const local = /local\.([\w-]+)/.exec(userData)?.[1];
      expect(local ? stack.locals[local] : userData).toContain("random_password.cluster_pki_bootstrap-token-secret_");
    }
  });
});
