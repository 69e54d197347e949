import { parse, parseAllDocuments } from "yaml";
import { allNodes, type PoolNode } from "../../lib/config/pool-nodes";
import type { EnvironmentConfig } from "../../lib/config/types";
import { BOOTSTRAP_SCRIPT_PATH } from "../../lib/cluster/bootstrap-script";
import { renderCloudConfig, runsKubeadmInit } from "../../lib/cluster/cloud-config";
import { CA_CERT_HASH_PLACEHOLDER, INIT_TOKEN_PLACEHOLDER } from "../../lib/cluster/kubeadm-config";
import { placeholderFor, placeholderSecrets } from "../../lib/cluster/secrets";
import { KUBE_VIP_IMAGE } from "../../lib/cluster/versions";
import { loadCloudConfigValidator } from "./cloud-init-schema";
import { FIXTURES, prodLike, sandboxLike } from "./fixtures";

interface WriteFile { path: string; content: string; encoding?: string }
interface CloudConfig { write_files: WriteFile[]; runcmd: string[][]; [key: string]: unknown }

const render = (env: EnvironmentConfig, node: PoolNode): string => renderCloudConfig(env, node, placeholderSecrets());
const parsed = (env: EnvironmentConfig, node: PoolNode): CloudConfig => parse(render(env, node)) as CloudConfig;
const fileOf = (cc: CloudConfig, path: string): WriteFile | undefined => cc.write_files.find((f) => f.path === path);
const kubeadmDocs = (cc: CloudConfig, name: "kubeadm-init.yaml" | "kubeadm-join.yaml"): Record<string, any>[] | undefined => {
  const f = fileOf(cc, `/etc/kubernetes/bootstrap/${name}`);
  return f && parseAllDocuments(f.content).map((d) => d.toJS() as Record<string, any>);
};
const cases = FIXTURES.flatMap((env) => allNodes(env).map((node) => [env.name, node.name, env, node] as const));

describe("every node's cloud-config", () => {
  const { validate, topLevelKeys } = loadCloudConfigValidator();

  test.each(cases)("%s/%s is valid against cloud-init's schema, with no unknown top-level key", (_e, _n, env, node) => {
    const text = render(env, node);
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    const doc = parse(text) as Record<string, unknown>;
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(Object.keys(doc).filter((k) => !topLevelKeys.has(k))).toEqual([]);
  });

  test.each(cases)("%s/%s runs the bootstrap as its last runcmd (its exit status is runcmd's: cloud-init reports a failed bootstrap)", (_e, _n, env, node) => {
    expect(parsed(env, node).runcmd.at(-1)).toEqual([BOOTSTRAP_SCRIPT_PATH]);
  });

  test("the schema check can fail: a typo'd top-level key and a bad write_files entry are caught", () => {
    const doc = { runcmd: [["x"]], write_file: [], write_files: [{ content: 1 }] };
    expect(validate(doc)).toBe(false);
    expect(Object.keys(doc).filter((k) => !topLevelKeys.has(k))).toEqual(["write_file"]);
  });
});

describe("kubeadm documents", () => {
  test("exactly one node runs kubeadm init: the first control-plane node", () => {
    for (const env of FIXTURES) {
      const init = allNodes(env).filter((n) => kubeadmDocs(parsed(env, n), "kubeadm-init.yaml") !== undefined);
      expect(init.map((n) => n.name)).toEqual([`${env.name}-control-plane-1`]);
      expect(allNodes(env).filter((n) => runsKubeadmInit(env, n))).toEqual(init);
      expect(fileOf(parsed(env, init[0]), "/etc/kubernetes/bootstrap/bootstrap.env")?.content).toContain("MODE='init'");
    }
  });

  test("a rebuilt first control-plane node (revision > 0) joins instead of creating a second cluster", () => {
    const env = { ...prodLike, controlPlane: { ...prodLike.controlPlane, nodeRevisions: { "prod-control-plane-1": 1 } } };
    const first = allNodes(env)[0];
    const cc = parsed(env, first);
    expect(kubeadmDocs(cc, "kubeadm-init.yaml")).toBeUndefined();
    expect(fileOf(cc, "/etc/kubernetes/bootstrap/bootstrap.env")?.content).toContain("MODE='join'");
    expect(allNodes(env).some((n) => runsKubeadmInit(env, n))).toBe(false);
  });

  const versions: [EnvironmentConfig, string][] = [
    [prodLike, "kubeadm.k8s.io/v1beta4"],
    [sandboxLike, "kubeadm.k8s.io/v1beta3"],
  ];
  test.each(versions)("%#: apiVersion follows the Kubernetes version; endpoint, subnets, image repository and metrics", (env, apiVersion) => {
    const [init, cluster, kubelet, proxy] = kubeadmDocs(parsed(env, allNodes(env)[0]), "kubeadm-init.yaml")!;
    expect([init.kind, cluster.kind, kubelet.kind, proxy.kind]).toEqual(["InitConfiguration", "ClusterConfiguration", "KubeletConfiguration", "KubeProxyConfiguration"]);
    expect(init.apiVersion).toBe(apiVersion);
    expect(cluster.apiVersion).toBe(apiVersion);
    expect(cluster.kubernetesVersion).toBe(`v${env.kubernetes.version}`);
    expect(cluster.controlPlaneEndpoint).toBe(`${env.kubernetes.apiVip}:6443`);
    // One source of truth: the same config field Calico's IP pool is built from.
    expect(cluster.networking.podSubnet).toBe(env.kubernetes.podCidr);
    expect(cluster.networking.serviceSubnet).toBe(env.kubernetes.serviceCidr);
    expect(cluster.apiServer.certSANs).toEqual([env.kubernetes.apiVip, ...(env.kubernetes.apiCertSans ?? [])]);
    const args = (x: unknown) => (Array.isArray(x) ? Object.fromEntries(x.map((a: { name: string; value: string }) => [a.name, a.value])) : x);
    expect(args(cluster.etcd.local.extraArgs)).toEqual({ "listen-metrics-urls": "http://0.0.0.0:2381" });
    // profiling off: CIS 1.3.2 / 1.4.1 (control-plane-hardening.test.ts has the whole table).
    expect(args(cluster.scheduler.extraArgs)).toEqual({ "bind-address": "0.0.0.0", profiling: "false" });
    expect(args(cluster.controllerManager.extraArgs)).toEqual({ "bind-address": "0.0.0.0", profiling: "false" });
    expect(Array.isArray(cluster.scheduler.extraArgs)).toBe(apiVersion.endsWith("v1beta4"));
    expect(init.bootstrapTokens[0].token).toBe(INIT_TOKEN_PLACEHOLDER); // join-token.test.ts: the throwaway init token
    expect(init.localAPIEndpoint.advertiseAddress).toBe(env.controlPlane.ips[0]);
  });

  test("with a mirror, every image comes from it; without one, from upstream", () => {
    const base = `${prodLike.registryMirror.host}/${prodLike.registryMirror.pathPrefix}`;
    const cc = parsed(prodLike, allNodes(prodLike)[0]);
    const [, cluster] = kubeadmDocs(cc, "kubeadm-init.yaml")!;
    expect(cluster.imageRepository).toBe(`${base}/registry.k8s.io`);
    expect(cluster.dns.imageRepository).toBe(`${base}/registry.k8s.io/coredns`);
    expect(fileOf(cc, "/etc/containerd/config.toml")?.content).toContain(`sandbox_image = "${base}/registry.k8s.io/pause:3.10"`);
    expect(fileOf(cc, "/etc/containerd/certs.d/docker.io/hosts.toml")?.content).toContain(`[host."https://${prodLike.registryMirror.host}/v2/${prodLike.registryMirror.pathPrefix}/docker.io"]`);
    expect(parse(fileOf(cc, "/etc/kubernetes/bootstrap/kube-vip.yaml")!.content).spec.containers[0].image).toBe(`${base}/${KUBE_VIP_IMAGE}`);
    expect(cc.ca_certs).toEqual({ trusted: [prodLike.registryMirror.caPem] });
    const sandbox = parsed(sandboxLike, allNodes(sandboxLike)[0]);
    expect(kubeadmDocs(sandbox, "kubeadm-init.yaml")![1].imageRepository).toBe("registry.k8s.io");
    expect(sandbox.write_files.some((f) => f.path.startsWith("/etc/containerd/certs.d/"))).toBe(false);
  });

  test.each(cases)("%s/%s joins with the CA pinned (caCertHashes), never skipping verification", (_e, _n, env, node) => {
    const text = render(env, node);
    expect(text).not.toMatch(/unsafeSkipCAVerification/i);
    const [join] = kubeadmDocs(parse(text) as CloudConfig, "kubeadm-join.yaml")!;
    expect(join.kind).toBe("JoinConfiguration");
    expect(join.discovery.bootstrapToken.apiServerEndpoint).toBe(`${env.kubernetes.apiVip}:6443`);
    expect(join.discovery.bootstrapToken.caCertHashes).toEqual([CA_CERT_HASH_PLACEHOLDER]);
    expect(join.nodeRegistration.name).toBe(node.name);
    expect(join.controlPlane !== undefined).toBe(node.role === "control-plane");
    expect(join.controlPlane?.certificateKey).toBeUndefined();
  });

  test("worker labels and taints come from the pool", () => {
    const storage = allNodes(prodLike).find((n) => n.pool === "storage")!;
    const [join] = kubeadmDocs(parsed(prodLike, storage), "kubeadm-join.yaml")!;
    expect(join.nodeRegistration.taints).toEqual([{ key: "node.example.internal/storage", value: "", effect: "NoSchedule" }]);
    expect(join.nodeRegistration.kubeletExtraArgs).toContainEqual({ name: "node-labels", value: "node.example.internal/role=storage" });
  });
});

describe("secrets and kube-vip per role", () => {
  test("workers carry the join token and the CA certificate, never a CA key", () => {
    for (const env of FIXTURES) {
      for (const node of allNodes(env).filter((n) => n.role === "worker")) {
        const text = render(env, node);
        expect(text).toContain(placeholderFor("bootstrapToken"));
        expect(text).toContain(placeholderFor("caCertB64"));
        for (const key of ["caKeyB64", "frontProxyCaKeyB64", "etcdCaKeyB64", "saKeyB64"] as const) expect(text).not.toContain(placeholderFor(key));
        expect((parse(text) as CloudConfig).write_files.filter((f) => f.path.includes("kube-vip"))).toEqual([]);
      }
    }
  });

  test("control-plane nodes get the PKI as base64 files and kube-vip on the node interface", () => {
    const cc = parsed(sandboxLike, allNodes(sandboxLike)[0]);
    expect(fileOf(cc, "/etc/kubernetes/bootstrap/pki/etcd/ca.key")).toMatchObject({ content: placeholderFor("etcdCaKeyB64"), encoding: "b64" });
    const env = Object.fromEntries(parse(fileOf(cc, "/etc/kubernetes/bootstrap/kube-vip.yaml")!.content).spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({ vip_arp: "true", vip_interface: "ens33", address: sandboxLike.kubernetes.apiVip, vip_leaderelection: "true", vip_subnet: "32" });
    // kube-vip >= 0.9 ignores vip_cidr; the lease holder is the node, from the downward API.
    expect(env).not.toHaveProperty("vip_cidr");
    const nodename = parse(fileOf(cc, "/etc/kubernetes/bootstrap/kube-vip.yaml")!.content).spec.containers[0].env.find((e: { name: string }) => e.name === "vip_nodename");
    expect(nodename).toEqual({ name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } });
  });

  test("kube-vip's Role: its leases in kube-system and nothing else, bound to the user of its certificate", () => {
    const cc = parsed(prodLike, allNodes(prodLike)[1]);
    const [role, binding] = parseAllDocuments(fileOf(cc, "/etc/kubernetes/bootstrap/kube-vip-rbac.yaml")!.content).map((d) => d.toJS());
    expect(role).toMatchObject({ kind: "Role", metadata: { name: "kube-vip", namespace: "kube-system" } });
    expect(role.rules).toEqual([{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch"] }]);
    expect(binding).toMatchObject({ kind: "RoleBinding", roleRef: { kind: "Role", name: "kube-vip" }, subjects: [{ kind: "User", name: "kube-vip" }] });
  });

  test("super-admin.conf only in the init-time kube-vip manifest of the first node (>= 1.29)", () => {
    const nodes = allNodes(prodLike);
    const hostPath = (cc: CloudConfig, f: string) => parse(fileOf(cc, `/etc/kubernetes/bootstrap/${f}`)!.content).spec.volumes[0].hostPath.path;
    const first = parsed(prodLike, nodes[0]);
    expect(hostPath(first, "kube-vip-init.yaml")).toBe("/etc/kubernetes/super-admin.conf");
    expect(hostPath(first, "kube-vip.yaml")).toBe("/etc/kubernetes/kube-vip.conf");
    expect(hostPath(parsed(prodLike, nodes[1]), "kube-vip.yaml")).toBe("/etc/kubernetes/kube-vip.conf");
    expect(fileOf(parsed(prodLike, nodes[1]), "/etc/kubernetes/bootstrap/kube-vip-init.yaml")).toBeUndefined();
  });
});
