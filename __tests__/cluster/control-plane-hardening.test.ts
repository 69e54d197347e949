import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import type { EnvironmentConfig } from "../../lib/config/types";
import { validateEnvironment } from "../../lib/config/validate";
import { allNodes } from "../../lib/config/pool-nodes";
import { renderedCloudConfigs } from "../../lib/cluster/rendered-files";
import { ANONYMOUS_PATHS } from "../../lib/cluster/authentication-config";
import { AUDIT_POLICY_PATH } from "../../lib/cluster/audit-policy";
import { ENCRYPTION_CONFIG_PATH } from "../../lib/cluster/encryption-config";
import { AUTHENTICATION_CONFIG_PATH, OIDC_CA_PATH } from "../../lib/cluster/authentication-config";
import { ADMISSION_CONFIG_PATH } from "../../lib/cluster/admission-config";
import { HOST_FIREWALL_RULES_PATH, HOST_FIREWALL_UNIT } from "../../lib/cluster/host-firewall";
import { clusterConfiguration, clusterConfigurationYaml } from "../../lib/cluster/kubeadm-config";
import { READINESS_WAIT_SCRIPT } from "../../lib/cluster/readiness-gate";
import { bootstrapScript } from "../../lib/cluster/bootstrap-script";
import { encryptionKeyPlaceholder } from "../../lib/cluster/secrets";
import { environments } from "../../stacks/app";
import { REFERENCE_DIR } from "../reference/sources";
import { copyOf } from "../helpers/environments";
import { synthCluster } from "./synth-helpers";

interface WriteFile { path: string; content: string; permissions: string }
interface CloudConfig { write_files: WriteFile[]; runcmd: string[][] }

const ENVIRONMENTS = Object.values(environments) as unknown as EnvironmentConfig[];
const OIDC = { issuerUrl: "https://sso.example.internal/realms/corp", clientId: "kubernetes", caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" };

/** Every node's cloud-config (secrets as placeholders), parsed. */
function cloudConfigs(env: EnvironmentConfig): Map<string, CloudConfig> {
  return new Map([...renderedCloudConfigs(env)].map(([name, text]) => [name.replace(".cloud-config.yaml", ""), parse(text) as CloudConfig]));
}
const fileOf = (cc: CloudConfig, path: string) => cc.write_files.find((f) => f.path === path);

/** The ClusterConfiguration inside the init node's kubeadm-init.yaml, and the API server's args by name. */
function initCluster(env: EnvironmentConfig): { cluster: any; args: (c: string) => Record<string, string> } {
  const [first] = allNodes(env);
  const init = fileOf(cloudConfigs(env).get(first.name)!, "/etc/kubernetes/bootstrap/kubeadm-init.yaml")!;
  const cluster = parseAllDocuments(init.content).map((d) => d.toJS()).find((d) => d.kind === "ClusterConfiguration");
  const asMap = (x: unknown) => (Array.isArray(x) ? Object.fromEntries(x.map((a: { name: string; value: string }) => [a.name, a.value])) : (x as Record<string, string>));
  return { cluster, args: (component) => asMap(cluster[component].extraArgs ?? {}) };
}

const withVersion = (env: EnvironmentConfig, version: string, security?: object): EnvironmentConfig => {
  const copy = copyOf(env);
  copy.kubernetes.version = version;
  if (security) {
    copy.security = security;
    // A shipped tenant deploys with GitLab CI tokens, which need the security.gitlabCi just replaced; tenants do not reach cloud-config.
    delete copy.tenants;
  }
  return copy;
};

/**
 * CIS Kubernetes Benchmark v1.10 (ids as kube-bench's cfg/cis-1.10 numbers them), each row checked on
 * what the three shipped environments really render: the init node's ClusterConfiguration and every
 * node's cloud-config.
 */
const CIS: ReadonlyArray<readonly [id: string, control: string, check: (env: EnvironmentConfig) => void]> = [
  ["1.1.x", "control-plane configuration files are root-only (0600)", (env) => {
    for (const [name, cc] of cloudConfigs(env)) {
      if (!name.includes("control-plane")) continue;
      for (const path of [AUDIT_POLICY_PATH, ENCRYPTION_CONFIG_PATH, AUTHENTICATION_CONFIG_PATH, ADMISSION_CONFIG_PATH]) expect([path, fileOf(cc, path)?.permissions]).toEqual([path, "0600"]);
    }
  }],
  ["1.2.1", "anonymous requests only to health endpoints and cluster-info (--authentication-config; the flag is excluded)", (env) => {
    const { args } = initCluster(env);
    expect(args("apiServer")["authentication-config"]).toBe(AUTHENTICATION_CONFIG_PATH);
    expect(args("apiServer")["anonymous-auth"]).toBeUndefined();
  }],
  ["1.2.15", "API server --profiling=false", (env) => expect(initCluster(env).args("apiServer").profiling).toBe("false")],
  ["1.2.16", "--audit-log-path is set", (env) => expect(initCluster(env).args("apiServer")["audit-log-path"]).toBe("/var/log/kubernetes/audit/audit.log")],
  ["1.2.17", "--audit-log-maxage >= 30", (env) => expect(Number(initCluster(env).args("apiServer")["audit-log-maxage"])).toBeGreaterThanOrEqual(30)],
  ["1.2.18", "--audit-log-maxbackup >= 10", (env) => expect(Number(initCluster(env).args("apiServer")["audit-log-maxbackup"])).toBeGreaterThanOrEqual(10)],
  ["1.2.19", "--audit-log-maxsize >= 100", (env) => expect(Number(initCluster(env).args("apiServer")["audit-log-maxsize"])).toBeGreaterThanOrEqual(100)],
  ["1.2.27", "--encryption-provider-config is set", (env) => expect(initCluster(env).args("apiServer")["encryption-provider-config"]).toBe(ENCRYPTION_CONFIG_PATH)],
  ["1.2.28", "the first encryption provider is aescbc, kms or secretbox", (env) => {
    const [first] = allNodes(env);
    const config = parse(fileOf(cloudConfigs(env).get(first.name)!, ENCRYPTION_CONFIG_PATH)!.content);
    expect(Object.keys(config.resources[0].providers[0])).toEqual(["secretbox"]);
    expect(config.resources[0].resources).toEqual(["secrets"]);
  }],
  ["1.3.2", "controller-manager --profiling=false", (env) => expect(initCluster(env).args("controllerManager").profiling).toBe("false")],
  ["1.4.1", "scheduler --profiling=false", (env) => expect(initCluster(env).args("scheduler").profiling).toBe("false")],
  ["3.2.1", "an audit policy is in place (--audit-policy-file)", (env) => expect(initCluster(env).args("apiServer")["audit-policy-file"]).toBe(AUDIT_POLICY_PATH)],
  ["5.2.1", "an active policy control mechanism: PodSecurity defaults (--admission-control-config-file)", (env) => {
    expect(initCluster(env).args("apiServer")["admission-control-config-file"]).toBe(ADMISSION_CONFIG_PATH);
  }],
  ["-", "host firewall on every node, started before the bootstrap", (env) => {
    for (const cc of cloudConfigs(env).values()) {
      expect(fileOf(cc, HOST_FIREWALL_RULES_PATH)).toBeDefined();
      expect(cc.runcmd[0]).toEqual(["systemctl", "enable", "--now", HOST_FIREWALL_UNIT]);
    }
  }],
];

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))("%s: CIS controls on the rendered config", (_name, env) => {
  it.each(CIS.map(([id, control, check]) => [id, control, check] as const))("CIS %s: %s", (_id, _control, check) => check(env));
});

/** Field names of the upstream types (vendored: __tests__/reference/apiserver-config). */
const TYPES: Record<string, Record<string, string>> = JSON.parse(readFileSync(join(REFERENCE_DIR, "apiserver-config", "fields.json"), "utf8")).types;

/** Paths of every field in `value` that type `type` does not have. */
function unknownFields(value: unknown, type: string, at = ""): string[] {
  if (type.startsWith("[]")) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, type.slice(2), `${at}[${i}]`)) : [`${at}: not a list`];
  const fields = TYPES[type];
  if (!fields) return []; // a primitive or free-form object
  if (typeof value !== "object" || value === null) return [`${at}: not an object`];
  return Object.entries(value).flatMap(([k, v]) => (k in fields ? unknownFields(v, fields[k], `${at}.${k}`) : [`${at}.${k}`]));
}

describe("every emitted field exists in the upstream types", () => {
  const files = (env: EnvironmentConfig) => {
    const cp = [...cloudConfigs(env).entries()].find(([name]) => name.includes("control-plane"))![1];
    return (path: string) => parse(fileOf(cp, path)!.content);
  };
  it.each([
    ["1.35 with OIDC", withVersion(environments.prod as unknown as EnvironmentConfig, "1.35.9", { oidc: OIDC })],
    ["1.33 (v1beta1 authentication)", withVersion(environments.prod as unknown as EnvironmentConfig, "1.33.5", { oidc: OIDC })],
  ])("%s", (_name, env) => {
    const read = files(env);
    const auth = read(AUTHENTICATION_CONFIG_PATH);
    const [group, version] = auth.apiVersion.split("/");
    expect(unknownFields(read(AUDIT_POLICY_PATH), "audit.k8s.io/v1/Policy")).toEqual([]);
    expect(unknownFields(read(ENCRYPTION_CONFIG_PATH), "apiserver.config.k8s.io/v1/EncryptionConfiguration")).toEqual([]);
    expect(unknownFields(read(ADMISSION_CONFIG_PATH), "apiserver.config.k8s.io/v1/AdmissionConfiguration")).toEqual([]);
    expect(unknownFields(auth, `${group}/${version}/AuthenticationConfiguration`)).toEqual([]);
    const cluster = clusterConfiguration(env) as any;
    expect(unknownFields(cluster.apiServer.extraVolumes, `[]${cluster.apiVersion}/HostPathMount`)).toEqual([]);
  });

  it("the check itself catches a typo", () => {
    expect(unknownFields({ rules: [{ level: "None", nonResourceURL: ["/x"] }] }, "audit.k8s.io/v1/Policy")).toEqual([".rules[0].nonResourceURL"]);
  });
});

describe("anonymous access", () => {
  const prod = environments.prod as unknown as EnvironmentConfig;
  const auth = (env: EnvironmentConfig) => parse(fileOf([...cloudConfigs(env).values()][0], AUTHENTICATION_CONFIG_PATH)!.content);

  it("allows exactly the paths the cluster's anonymous callers use", () => {
    const allowed = auth(prod).anonymous.conditions.map((c: { path: string }) => c.path);
    expect(auth(prod).anonymous.enabled).toBe(true);
    expect(allowed).toEqual([...ANONYMOUS_PATHS]);
    // The readiness gate and the bootstrap's api_ready: curl without credentials.
    expect(READINESS_WAIT_SCRIPT).toContain('"$K8S_ENDPOINT/readyz"');
    expect(bootstrapScript()).toContain('"https://$API_VIP:6443/readyz"');
    expect(allowed).toContain("/readyz");
    // kubeadm's static pod probes (kubelet, no credentials) and join discovery (kube-public/cluster-info).
    expect(allowed).toEqual(expect.arrayContaining(["/livez", "/readyz", "/api/v1/namespaces/kube-public/configmaps/cluster-info"]));
    expect(allowed).not.toContain("/version");
  });

  it("no other anonymous call in lib/cluster: every other curl/kubectl/openssl client there carries a credential", () => {
    const script = bootstrapScript();
    const curls = script.split("\n").filter((l) => /\bcurl\b/.test(l) && !l.trim().startsWith("#"));
    for (const line of curls) expect(line).toMatch(/\/readyz|--cert/);
    for (const line of script.split("\n").filter((l) => /\bkubectl\b/.test(l) && !l.trim().startsWith("#"))) expect(line).toMatch(/--kubeconfig/);
  });

  it.each(["1.32.4", "1.34.1", "1.35.9"])("%s: structured authentication, v1beta1 before 1.34, no --anonymous-auth or --oidc-* flag", (version) => {
    const env = withVersion(prod, version, { oidc: OIDC });
    const args = initCluster(env).args("apiServer");
    expect(auth(env).apiVersion).toBe(Number(version.split(".")[1]) >= 34 ? "apiserver.config.k8s.io/v1" : "apiserver.config.k8s.io/v1beta1");
    expect(Object.keys(args).filter((a) => a === "anonymous-auth" || a.startsWith("oidc-"))).toEqual([]);
  });

  it.each(["1.29.9", "1.31.4"])("%s: kubeadm's default (anonymous-auth on, RBAC limits it); OIDC through the --oidc-* flags", (version) => {
    const env = withVersion(prod, version, { oidc: OIDC });
    const args = initCluster(env).args("apiServer");
    expect(args["authentication-config"]).toBeUndefined();
    expect(args["anonymous-auth"]).toBeUndefined();
    expect(args).toMatchObject({
      "oidc-issuer-url": OIDC.issuerUrl, "oidc-client-id": "kubernetes", "oidc-username-claim": "email", "oidc-username-prefix": "oidc:",
      "oidc-groups-claim": "groups", "oidc-groups-prefix": "oidc:", "oidc-ca-file": OIDC_CA_PATH,
    });
    const cp = [...cloudConfigs(env).values()][0];
    expect(fileOf(cp, AUTHENTICATION_CONFIG_PATH)).toBeUndefined();
    expect(fileOf(cp, OIDC_CA_PATH)).toMatchObject({ content: OIDC.caPem, permissions: "0644" });
    expect(initCluster(env).cluster.apiServer.extraVolumes).toContainEqual(expect.objectContaining({ name: "oidc-ca", hostPath: OIDC_CA_PATH, readOnly: true, pathType: "File" }));
  });

  it("OIDC: issuer, audience = clientId, username and groups claims with the oidc: prefix, the issuer CA inline", () => {
    const jwt = auth(withVersion(prod, "1.35.9", { oidc: { ...OIDC, usernameClaim: "preferred_username" } })).jwt;
    expect(jwt).toEqual([
      {
        issuer: { url: OIDC.issuerUrl, audiences: ["kubernetes"], certificateAuthority: OIDC.caPem },
        claimMappings: { username: { claim: "preferred_username", prefix: "oidc:" }, groups: { claim: "groups", prefix: "oidc:" } },
      },
    ]);
    // Without OIDC (the shipped prod has the site's issuer) the API server trusts no JWT issuer.
    expect(auth(withVersion(prod, "1.35.9", {})).jwt).toEqual([]);
  });
});

describe("audit policy", () => {
  const prod = environments.prod as unknown as EnvironmentConfig;
  const policy = parse(fileOf([...cloudConfigs(prod).values()][0], AUDIT_POLICY_PATH)!.content);
  /** The level of the first rule matching a request, as the API server evaluates it. */
  const levelOf = (req: { user?: string; groups?: string[]; verb: string; group?: string; resource?: string; path?: string }): string => {
    for (const r of policy.rules) {
      if (r.users && !r.users.includes(req.user)) continue;
      if (r.userGroups && !r.userGroups.some((g: string) => req.groups?.includes(g))) continue;
      if (r.verbs && !r.verbs.includes(req.verb)) continue;
      if (r.nonResourceURLs && !(req.path && r.nonResourceURLs.some((u: string) => (u.endsWith("*") ? req.path!.startsWith(u.slice(0, -1)) : u === req.path)))) continue;
      if (r.resources && !(req.resource && r.resources.some((gr: { group?: string; resources?: string[] }) => (gr.group ?? "") === (req.group ?? "") && (!gr.resources || gr.resources.includes(req.resource!))))) continue;
      return r.level;
    }
    return "None";
  };

  it.each([
    ["a Secret read, never its body", { user: "alice", verb: "get", resource: "secrets" }, "Metadata"],
    ["a Secret write, never its body", { user: "alice", verb: "create", resource: "secrets" }, "Metadata"],
    ["a ConfigMap update", { user: "alice", verb: "update", resource: "configmaps" }, "Metadata"],
    ["a token request", { user: "alice", verb: "create", resource: "serviceaccounts/token" }, "Metadata"],
    ["a TokenReview", { user: "system:kube-apiserver", verb: "create", group: "authentication.k8s.io", resource: "tokenreviews" }, "Metadata"],
    ["a ClusterRoleBinding created", { user: "alice", verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" }, "RequestResponse"],
    ["a Deployment patched", { user: "alice", verb: "patch", group: "apps", resource: "deployments" }, "Request"],
    ["a pod exec", { user: "alice", verb: "create", resource: "pods/exec" }, "Request"],
    ["a Job created", { user: "alice", verb: "create", group: "batch", resource: "jobs" }, "Request"],
    ["a pod list", { user: "alice", verb: "list", resource: "pods" }, "Metadata"],
    ["/readyz", { verb: "get", path: "/readyz" }, "None"],
    ["/livez?verbose subpath", { verb: "get", path: "/livez/etcd" }, "None"],
    ["/metrics", { verb: "get", path: "/metrics" }, "None"],
    ["events", { user: "system:serviceaccount:kube-system:x", verb: "create", resource: "events" }, "None"],
    ["kube-proxy watching EndpointSlices", { user: "system:kube-proxy", verb: "watch", group: "discovery.k8s.io", resource: "endpointslices" }, "None"],
    ["a kubelet reading its pods", { user: "system:node:n1", groups: ["system:nodes"], verb: "list", resource: "pods" }, "None"],
    ["a kubelet patching its node status is still logged", { user: "system:node:n1", groups: ["system:nodes"], verb: "patch", resource: "nodes" }, "Metadata"],
    ["leader election lease renewals", { user: "system:kube-scheduler", verb: "update", group: "coordination.k8s.io", resource: "leases" }, "None"],
  ])("%s → %s", (_name, req, level) => expect(levelOf(req)).toBe(level));

  it("omits the RequestReceived stage", () => expect(policy.omitStages).toEqual(["RequestReceived"]));

  it("is off, with its flags and mounts, when security.auditLog is false", () => {
    const env = withVersion(prod, prod.kubernetes.version, { auditLog: false });
    const cluster = clusterConfiguration(env) as any;
    const args = Object.fromEntries(cluster.apiServer.extraArgs.map((a: { name: string; value: string }) => [a.name, a.value]));
    expect(Object.keys(args).filter((a) => a.startsWith("audit-"))).toEqual([]);
    expect(cluster.apiServer.extraVolumes.map((v: { name: string }) => v.name)).not.toContain("audit-log");
    expect(fileOf([...cloudConfigs(env).values()][0], AUDIT_POLICY_PATH)).toBeUndefined();
  });

  it("uses the configured rotation and mounts the log directory writable", () => {
    const env = withVersion(prod, prod.kubernetes.version, { auditLog: { maxAgeDays: 90, maxSizeMiB: 200, maxBackups: 5 } });
    const cluster = clusterConfiguration(env) as any;
    const args = Object.fromEntries(cluster.apiServer.extraArgs.map((a: { name: string; value: string }) => [a.name, a.value]));
    expect(args).toMatchObject({ "audit-log-maxage": "90", "audit-log-maxsize": "200", "audit-log-maxbackup": "5" });
    expect(cluster.apiServer.extraVolumes).toContainEqual({ name: "audit-log", hostPath: "/var/log/kubernetes/audit", mountPath: "/var/log/kubernetes/audit", readOnly: false, pathType: "DirectoryOrCreate" });
    expect(cluster.apiServer.extraVolumes).toContainEqual({ name: "audit-policy", hostPath: AUDIT_POLICY_PATH, mountPath: AUDIT_POLICY_PATH, readOnly: true, pathType: "File" });
  });
});

describe("encryption at rest and admission", () => {
  const prod = environments.prod as unknown as EnvironmentConfig;

  it("keys in configured order (the first encrypts), identity last; the key only on control-plane nodes", () => {
    const env = withVersion(prod, prod.kubernetes.version, { encryptionKeys: ["key2", "key1"] });
    for (const [name, cc] of cloudConfigs(env)) {
      const file = fileOf(cc, ENCRYPTION_CONFIG_PATH);
      const text = renderedCloudConfigs(env).get(`${name}.cloud-config.yaml`)!;
      if (!name.includes("control-plane")) {
        expect(file).toBeUndefined();
        expect(text).not.toContain("encryption-key");
        continue;
      }
      const providers = parse(file!.content).resources[0].providers;
      expect(providers).toEqual([{ secretbox: { keys: [{ name: "key2", secret: encryptionKeyPlaceholder("key2") }, { name: "key1", secret: encryptionKeyPlaceholder("key1") }] } }, { identity: {} }]);
      expect(file!.permissions).toBe("0600");
    }
  });

  it('"identity" first (turning encryption on in a running cluster): writes stay plain, every key still decrypts', () => {
    const env = withVersion(prod, prod.kubernetes.version, { encryptionKeys: ["identity", "key1"] });
    const [first] = allNodes(env);
    const providers = parse(fileOf(cloudConfigs(env).get(first.name)!, ENCRYPTION_CONFIG_PATH)!.content).resources[0].providers;
    expect(providers).toEqual([{ identity: {} }, { secretbox: { keys: [{ name: "key1", secret: encryptionKeyPlaceholder("key1") }] } }]);
  });

  it("is off, flag and file, when security.encryptionAtRest is false", () => {
    const env = withVersion(prod, prod.kubernetes.version, { encryptionAtRest: false });
    expect(clusterConfigurationYaml(env)).not.toContain("encryption-provider-config");
    expect(renderedCloudConfigs(env).get([...renderedCloudConfigs(env).keys()][0])).not.toContain(ENCRYPTION_CONFIG_PATH);
  });

  it("PodSecurity defaults from security.podSecurity, version latest, kube-system exempt", () => {
    const env = withVersion(prod, prod.kubernetes.version, { podSecurity: { enforce: "restricted" } });
    const admission = parse(fileOf([...cloudConfigs(env).values()][0], ADMISSION_CONFIG_PATH)!.content);
    expect(admission.plugins).toEqual([
      {
        name: "PodSecurity",
        configuration: {
          apiVersion: "pod-security.admission.config.k8s.io/v1",
          kind: "PodSecurityConfiguration",
          defaults: { enforce: "restricted", "enforce-version": "latest", audit: "restricted", "audit-version": "latest", warn: "restricted", "warn-version": "latest" },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: ["kube-system"] },
        },
      },
    ]);
  });
});

describe("KubeadmCluster: the kubeadm-config ConfigMap and the encryption key in Terraform", () => {
  const prod = environments.prod as unknown as EnvironmentConfig;
  const synth = synthCluster(prod);

  it("manages kube-system/kubeadm-config's ClusterConfiguration: the init config's, forced, once the ConfigMap exists", () => {
    const [cfg] = Object.values(synth.json.resource.kubernetes_config_map_v1_data as Record<string, any>);
    expect(cfg.metadata).toEqual({ name: "kubeadm-config", namespace: "kube-system" });
    expect(cfg.force).toBe(true);
    expect(cfg.field_manager).toBe("terraform-kubeadm-config");
    expect(cfg.depends_on).toEqual([expect.stringMatching(/^terraform_data\.cluster_kubeadm-config-ready_wait_/)]);
    const gates = synth.json.resource.terraform_data as Record<string, any>;
    const gate = gates[cfg.depends_on[0].split(".")[1]];
    expect(gate.depends_on).toEqual([expect.stringMatching(/^terraform_data\.cluster_api-ready_wait_/)]);
    const exec = gate.provisioner[0]["local-exec"];
    expect(exec.command).toContain("/api/v1/namespaces/kube-system/configmaps/kubeadm-config");
    expect(exec.environment.K8S_CLIENT_KEY_PEM).toMatch(/^\$\{sensitive\(tls_private_key\.cluster_pki_admin-key_[A-Z0-9]+\.private_key_pem\)\}$/);
    expect(parse(cfg.data.ClusterConfiguration)).toEqual(initCluster(validateEnvironment(prod)).cluster);
  });

  it("one random_bytes of 32 bytes per key, referenced only by control-plane user-data", () => {
    const keys = synth.json.resource.random_bytes as Record<string, any>;
    expect(Object.values(keys)).toEqual([expect.objectContaining({ length: 32 })]);
    const [keyName] = Object.keys(keys);
    const vms = synth.json.resource.vsphere_virtual_machine as Record<string, { name: string; extra_config: Record<string, string> }>;
    for (const vm of Object.values(vms)) {
      const refs = vm.extra_config["guestinfo.userdata"].includes(`random_bytes.${keyName}.base64`);
      expect([vm.name, refs]).toEqual([vm.name, vm.name.includes("control-plane")]);
    }
    expect(synth.text).not.toContain(encryptionKeyPlaceholder("key1"));
  });

  it('"identity" is no key: no random_bytes for it', () => {
    const env = withVersion(prod, prod.kubernetes.version, { encryptionKeys: ["identity", "key1"] });
    const keys = synthCluster(env).json.resource.random_bytes as Record<string, any>;
    expect(Object.keys(keys)).toEqual([expect.stringMatching(/^cluster_pki_encryption-key-key1_/)]);
  });
});
