import { validateEnvironment } from "../../lib/config/validate";
import { dev } from "../../stacks/dev";
import { prod } from "../../stacks/prod";
import { sandbox } from "../../stacks/sandbox";
import { prodCopy, sandboxCopy } from "../helpers/environments";
import { problemsOf } from "../helpers/problems";


describe("validateEnvironment", () => {
  it.each([sandbox, dev, prod])("accepts the shipped $name environment unchanged", (env) => {
    expect(validateEnvironment(env)).toBe(env);
  });

  const cases: Array<[string, (env: any) => void, string]> = [
    ["malformed node IP", (e) => (e.workers[0].ips[2] = "10.20.30.300"),
      'prod.workers[0].ips[2]: "10.20.30.300" is not an IPv4 address (four numbers 0-255, e.g. "10.20.0.11")'],
    ["node IP outside the node CIDR", (e) => (e.workers[1].ips[0] = "10.20.31.41"),
      'prod.workers[1].ips[0]: "10.20.31.41" is outside the node network 10.20.30.0/24'],
    ["duplicate IP across pools", (e) => (e.workers[1].ips[3] = "10.20.30.31"),
      'prod.workers[1].ips[3]: "10.20.30.31" is already used by prod.workers[0].ips[0]; every node needs a unique IP'],
    ["node IP equal to the gateway", (e) => (e.controlPlane.ips[0] = "10.20.30.1"),
      'prod.controlPlane.ips[0]: "10.20.30.1" is the gateway address; give the node its own address'],
    ["node IP equal to the VIP", (e) => (e.controlPlane.ips[1] = "10.20.30.10"),
      'prod.controlPlane.ips[1]: "10.20.30.10" is the API VIP; the VIP must not be a node address'],
    ["node IP is the broadcast address", (e) => (e.workers[1].ips[3] = "10.20.30.255"),
      'prod.workers[1].ips[3]: "10.20.30.255" is the network or broadcast address of 10.20.30.0/24; use a host address'],
    ["VIP outside the node CIDR", (e) => (e.kubernetes.apiVip = "10.20.40.10"),
      'prod.kubernetes.apiVip: "10.20.40.10" is outside the node network 10.20.30.0/24; kube-vip announces it by ARP, so it must be a free address in that subnet'],
    ["fewer IPs than nodes", (e) => e.workers[1].ips.pop(),
      "prod.workers[1].ips: has 3 address(es) for count 4; give exactly one static IP per node"],
    ["more IPs than nodes", (e) => e.controlPlane.ips.push("10.20.30.14"),
      "prod.controlPlane.ips: has 4 address(es) for count 3; give exactly one static IP per node"],
    ["even control-plane count", (e) => { e.tier = "dev"; e.controlPlane.count = 4; e.controlPlane.ips.push("10.20.30.14"); },
      "prod.controlPlane.count: 4 is even; etcd needs an odd number of members for quorum: use 3 or 5"],
    ["prod with one control-plane node", (e) => { e.controlPlane.count = 1; e.controlPlane.ips = ["10.20.30.11"]; },
      "prod.controlPlane.count: 1 control-plane node(s) in a prod environment; prod needs at least 3 to survive the loss of one"],
    ["pod CIDR overlapping the service CIDR", (e) => (e.kubernetes.serviceCidr = "10.244.128.0/20"),
      'prod.kubernetes.serviceCidr: "10.244.128.0/20" overlaps podCidr 10.244.0.0/16; pods and services need disjoint ranges'],
    ["pod CIDR overlapping the node network", (e) => (e.kubernetes.podCidr = "10.20.0.0/16"),
      'prod.kubernetes.podCidr: "10.20.0.0/16" overlaps the node network 10.20.30.0/24; choose a range that is not routed in the datacenter'],
    ["malformed CIDR", (e) => (e.network.cidr = "10.20.30.0/33"),
      'prod.network.cidr: "10.20.30.0/33" is not an IPv4 CIDR (address/prefix, e.g. "10.20.0.0/24")'],
    ["CIDR with host bits", (e) => (e.kubernetes.podCidr = "10.244.1.0/16"),
      'prod.kubernetes.podCidr: "10.244.1.0/16" has host bits set; did you mean "10.244.0.0/16"?'],
    ["pool name that is not DNS-1123", (e) => (e.workers[1].name = "General_Pool"),
      'prod.workers[1].name: "General_Pool" is not a DNS-1123 label; use at most 54 lower-case letters, digits and "-", starting and ending with a letter or digit'],
    ["environment name that is not DNS-1123", (e) => (e.name = "Prod"),
      'Prod.name: "Prod" is not a DNS-1123 label; use at most 30 lower-case letters, digits and "-", starting and ending with a letter or digit'],
    ["control-plane below kubeadm's CPU minimum", (e) => (e.controlPlane.cpus = 1),
      "prod.controlPlane.cpus: 1 is below the minimum of 2 (kubeadm minimum for control-plane nodes); raise it to at least 2"],
    ["control-plane below kubeadm's memory minimum", (e) => (e.controlPlane.memoryMiB = 1024),
      "prod.controlPlane.memoryMiB: 1024 is below the minimum of 1700 (minimum for control-plane nodes); raise it to at least 1700"],
    ["OS disk too small", (e) => (e.workers[0].osDiskGiB = 8),
      "prod.workers[0].osDiskGiB: 8 is below the minimum of 20 (images, logs and etcd need room); raise it to at least 20"],
    ["unknown key (typo) in a pool", (e) => (e.workers[0].dataDiskGb = 100),
      "prod.workers[0].dataDiskGb: unknown field (typo?); known fields here: name, count, cpus, memoryMiB, osDiskGiB, dataDiskGiB, ips, labels, taints, nodeRevisions, template"],
    ["unknown top-level key", (e) => (e.kubernetesVersion = "1.35.9"),
      "prod.kubernetesVersion: unknown field (typo?); known fields here: name, tier, vsphere, network, template, controlPlane, workers, kubernetes, registryMirror, sshAuthorizedKeys, security, platform, tenants, backups, logs, certificates"],
    ["duplicate pool names", (e) => (e.workers[1].name = "storage"),
      'prod.workers[1].name: "storage" is used twice (or collides with the control-plane pool); pool names must be unique'],
    ["Kubernetes version that is not exact", (e) => (e.kubernetes.version = "1.35"),
      'prod.kubernetes.version: "1.35" is not an exact Kubernetes version; write x.y.z, e.g. "1.35.9"'],
    ["revision for a node that does not exist", (e) => (e.workers[0].nodeRevisions = { "prod-storage-9": 1 }),
      "prod.workers[0].nodeRevisions.prod-storage-9: is not a node of this pool; its nodes are prod-storage-1, prod-storage-2, prod-storage-3"],
    ["bad taint effect", (e) => (e.workers[1].taints = [{ key: "dedicated", effect: "NoWay" }]),
      'prod.workers[1].taints[0].effect: "NoWay" is not one of NoSchedule, PreferNoSchedule, NoExecute'],
    ["private key given as SSH key", (e) => (e.sshAuthorizedKeys = ["-----BEGIN OPENSSH PRIVATE KEY-----\nabc"]),
      "prod.sshAuthorizedKeys[0]: is a PRIVATE key; never put private keys in config: give the .pub line"],
    ["mirror host with a scheme", (e) => (e.registryMirror.host = "https://gitlab.example.internal"),
      'prod.registryMirror.host: "https://gitlab.example.internal" must be host[:port] without a scheme or path, e.g. "gitlab.example.internal:5050"'],
    ["missing gateway", (e) => delete e.network.gateway,
      "prod.network.gateway: is required (an IPv4 address)"],
    ["unknown vSphere version", (e) => (e.vsphere.version = "6.5"),
      'prod.vsphere.version: "6.5" is not one of 6.7, 7.0, 8.0'],
    ["vSphere version as a number", (e) => (e.vsphere.version = 7),
      "prod.vsphere.version: 7 is not one of 6.7, 7.0, 8.0"],
    ["folder with a leading /", (e) => (e.vsphere.folder = "/kubernetes/prod"),
      `prod.vsphere.folder: "/kubernetes/prod" is an inventory path; give the path below the datacenter's VM folder, e.g. "kubernetes/prod"`],
    ["folder as an absolute inventory path", (e) => (e.vsphere.folder = "/dc1/vm/kubernetes/prod"),
      `prod.vsphere.folder: "/dc1/vm/kubernetes/prod" is an inventory path; give the path below the datacenter's VM folder, e.g. "kubernetes/prod"`],
    ["folder starting with the datacenter's vm folder", (e) => (e.vsphere.folder = "dc1/vm/kubernetes/prod"),
      `prod.vsphere.folder: "dc1/vm/kubernetes/prod" is an inventory path; give the path below the datacenter's VM folder, e.g. "kubernetes/prod"`],
    ["folder with a trailing /", (e) => (e.vsphere.folder = "kubernetes/prod/"),
      'prod.vsphere.folder: "kubernetes/prod/" has an empty path segment; join names with single "/", without a trailing "/"'],
    ["resource pool as an inventory path", (e) => (e.vsphere.resourcePool = "/dc1/host/cluster1/Resources/prod"),
      `prod.vsphere.resourcePool: "/dc1/host/cluster1/Resources/prod" is an inventory path; give the path below the compute cluster's root resource pool, e.g. "prod"`],
    ["resource pool below <cluster>/Resources", (e) => (e.vsphere.resourcePool = "cluster1/Resources/k8s/prod"),
      `prod.vsphere.resourcePool: "cluster1/Resources/k8s/prod" is an inventory path; give the path below the compute cluster's root resource pool, e.g. "k8s/prod"`],
    // Gaps found with a table of broken configs (issue 10): each one clear problem, never a crash.
    ["service CIDR too small for the cluster DNS address", (e) => (e.kubernetes.serviceCidr = "10.96.0.0/30"),
      'prod.kubernetes.serviceCidr: "10.96.0.0/30" is too small: kubeadm puts the cluster DNS Service at its 10th address; use a /28 or larger (e.g. a /16 for thousands of Services)'],
    ["pod CIDR smaller than one node's share", (e) => (e.kubernetes.podCidr = "10.244.0.0/28"),
      'prod.kubernetes.podCidr: "10.244.0.0/28" is smaller than the /24 every node is given from it; use a /16 or larger (a /16 holds 256 nodes)'],
    ["pod CIDR too small for the node count", (e) => (e.kubernetes.podCidr = "10.244.0.0/21"),
      'prod.kubernetes.podCidr: "10.244.0.0/21" holds 8 node(s) at a /24 each, but the environment has 10; use a larger range'],
    ["gateway equal to the network address", (e) => (e.network.gateway = "10.20.30.0"),
      'prod.network.gateway: "10.20.30.0" is the network or broadcast address of 10.20.30.0/24; use the router\'s host address'],
    ["gateway equal to the broadcast address", (e) => (e.network.gateway = "10.20.30.255"),
      'prod.network.gateway: "10.20.30.255" is the network or broadcast address of 10.20.30.0/24; use the router\'s host address'],
    ["Terraform interpolation in the VM folder", (e) => (e.vsphere.folder = "kubernetes/${var.x}"),
      'prod.vsphere.folder: "kubernetes/${var.x}" contains "${" or "%{", which Terraform would evaluate; remove it (this field cannot carry Terraform template text)'],
    ["Terraform directive in the platform domain", (e) => (e.platform.gitops.path = "envs/%{ if true }x%{ endif }"),
      'prod.platform.gitops.path: "envs/%{ if true }x%{ endif }" contains "${" or "%{", which Terraform would evaluate; remove it (this field cannot carry Terraform template text)'],
    ["unescaped interpolation in a Helm override", (e) => (e.platform.overrides = { "argo-cd": { global: { env: "${HOSTNAME}" } } }),
      'prod.platform.overrides.argo-cd.global.env: "${HOSTNAME}" contains "${" or "%{", which Terraform would evaluate; write "$${" or "%%{" for a literal "${" or "%{"'],
    ["mirror port above 65535", (e) => (e.registryMirror.host = "gitlab.example.internal:70000"),
      'prod.registryMirror.host: "gitlab.example.internal:70000" has port 70000, outside 1-65535; use the registry\'s port, e.g. "gitlab.example.internal:5050"'],
    ["mirror port 0", (e) => (e.registryMirror.host = "gitlab.example.internal:0"),
      'prod.registryMirror.host: "gitlab.example.internal:0" has port 0, outside 1-65535; use the registry\'s port, e.g. "gitlab.example.internal:5050"'],
    ["NaN memory", (e) => (e.workers[0].memoryMiB = NaN),
      "prod.workers[0].memoryMiB: NaN must be a whole number"],
    ["Infinity disk", (e) => (e.workers[0].dataDiskGiB = Infinity),
      "prod.workers[0].dataDiskGiB: Infinity must be a whole number"],
    ["Grafana admin password in overrides", (e) => (e.platform.overrides = { "kube-prometheus-stack": { grafana: { adminPassword: "hunter2" } } }),
      "prod.platform.overrides.kube-prometheus-stack.grafana.adminPassword: looks like a credential: values in platform.overrides land in clear text in cdk.tf.json and the plan; secrets go through the sensitive Terraform variables (README: argocd_repo_password, alertmanager_<receiver>_url, alertmanager_smtp_password) or generated passwords; for anything else reference an existing Kubernetes Secret (the chart's existingSecret-style field)"],
    ["Argo CD admin hash in overrides", (e) => (e.platform.overrides = { "argo-cd": { configs: { secret: { argocdServerAdminPassword: "$2a$10$abc" } } } }),
      "prod.platform.overrides.argo-cd.configs.secret.argocdServerAdminPassword: looks like a credential: values in platform.overrides land in clear text in cdk.tf.json and the plan; secrets go through the sensitive Terraform variables (README: argocd_repo_password, alertmanager_<receiver>_url, alertmanager_smtp_password) or generated passwords; for anything else reference an existing Kubernetes Secret (the chart's existingSecret-style field)"],
  ];

  it.each([["6.7"], ["7.0"], ["8.0"]])("accepts vsphere.version %s, nested resource pools and nested folders", (version) => {
    const env = prodCopy();
    Object.assign(env.vsphere, { version, resourcePool: "k8s/prod", folder: "teams/platform/kubernetes/prod" });
    expect(validateEnvironment(env)).toBe(env);
  });

  it.each(cases)("rejects %s with one precise problem", (_, breakIt, expected) => {
    const env = prodCopy();
    breakIt(env);
    expect(problemsOf(env)).toEqual([expected]);
  });

  it.each([
    ["count just over 2**32 with revisions", 2 ** 32 + 1],
    ["count of 3e7", 3e7],
  ])("rejects a %s quickly, before building anything", (_, count) => {
    const env = prodCopy();
    env.workers[1].count = count;
    env.workers[1].nodeRevisions = { "prod-general-1": 1 };
    const started = Date.now();
    expect(problemsOf(env)).toContain(`prod.workers[1].count: ${count} is above the maximum of 1000; lower it to at most 1000`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("rejects an IP list longer than any pool once, not per entry", () => {
    const env = prodCopy();
    env.workers[1].ips = Array.from({ length: 100_000 }, () => "10.20.30.99");
    expect(problemsOf(env)).toEqual(["prod.workers[1].ips: has 100000 address(es) for count 4; give exactly one static IP per node", "prod.workers[1].ips: has 100000 addresses; a pool has at most 1000 nodes"]);
  });

  it("accepts escaped Terraform sequences in Helm overrides, and references to existing Secrets", () => {
    const env = prodCopy();
    env.platform.overrides = { "argo-cd": { global: { env: "$${HOSTNAME} %%{x}" }, configs: { secret: { createSecret: false }, repositories: { x: { passwordSecretKey: "pw" } } } }, "kube-prometheus-stack": { grafana: { admin: { existingSecret: "grafana-admin", passwordKey: "password" } } } };
    expect(validateEnvironment(env)).toBe(env);
  });

  it("lists every problem at once, in one error whose message names the environment", () => {
    const env = sandboxCopy();
    env.workers[0].ips = ["10.20.10.300"];
    env.kubernetes.apiVip = "10.30.0.1";
    env.controlPlane.count = 2;
    env.controlPlane.ips.push("10.20.10.12");
    let message = "";
    try {
      validateEnvironment(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      'Invalid environment "sandbox": 3 problems',
      '  - sandbox.kubernetes.apiVip: "10.30.0.1" is outside the node network 10.20.10.0/24; kube-vip announces it by ARP, so it must be a free address in that subnet',
      "  - sandbox.controlPlane.count: 2 is even; etcd needs an odd number of members for quorum: use 1 or 3",
      '  - sandbox.workers[0].ips[0]: "10.20.10.300" is not an IPv4 address (four numbers 0-255, e.g. "10.20.0.11")',
    ]);
  });

  it("rejects input that is not an object", () => {
    expect(problemsOf(42)).toEqual(["environment: 42 must be an object"]);
  });
});
