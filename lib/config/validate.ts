import type { ValidatedEnvironment } from "./types";
import { CLUSTER_DNS_SERVICE_INDEX, MAX_NODES_PER_POOL, NODE_CIDR_MASK_SIZE, TIER_RULES } from "./defaults";
import { FIELDS } from "./field-lists";
import { checkNoInterpolation } from "./interpolation";
import { validatePlatform } from "./platform";
import { validateBackups } from "./backups";
import { validateLogs } from "./logs";
import { validateCertificates } from "./certificates";
import { validateSecurity } from "./security";
import { validateTenants } from "./tenants";
import { TIERS, isTier } from "./tiers";
import { Problems, show } from "./problems";
import {
  DNS_SUBDOMAIN,
  type Input,
  checkDnsLabel,
  isObject,
  readArray,
  readEnum,
  readInteger,
  readObject,
  readString,
  readStringList,
} from "./fields";
import { VSPHERE_VERSIONS } from "./vsphere-versions";
import { type Ipv4Cidr, broadcastAddress, cidrContains, cidrsOverlap, formatCidr, parseCidr, parseIpv4 } from "./ipv4";

/**
 * Kubeadm's preflight minimums for control-plane nodes (2 CPUs, 1700 MB); workers get a practical
 * floor (kubelet + containerd + CNI + monitoring agents do not fit in less).
 */
export const MINIMUM_SIZES = {
  "control-plane": { cpus: 2, memoryMiB: 1700 },
  worker: { cpus: 1, memoryMiB: 1024 },
  osDiskGiB: 20,
  dataDiskGiB: 10,
} as const;

/**
 * Oldest Kubernetes minor the bootstrap supports: Terraform's admin group `kubeadm:cluster-admins` exists
 * since 1.29, and the kube-vip super-admin.conf handling assumes it.
 */
export const MINIMUM_KUBERNETES_MINOR = 29;


/**
 * The one way into the library: returns the input typed as a ValidatedEnvironment (what the constructs
 * take), or throws ONE ConfigError listing every problem with its path, the offending value and the fix.
 */
export function validateEnvironment(input: unknown): ValidatedEnvironment {
  const problems = new Problems();
  const root = isObject(input) && typeof input.name === "string" ? input.name : "environment";
  const env = readObject(problems, input, root, FIELDS.environment);
  if (env) {
    checkNoInterpolation(problems, env, root);
    new EnvironmentChecks(problems, env, root).run();
    validatePlatform(env, problems);
    validateSecurity(env, root, problems);
    validateTenants(env, root, problems);
    validateBackups(env, root, isTier(env.tier) ? env.tier : undefined, problems);
    validateLogs(env, root, problems);
    validateCertificates(env, root, problems);
  }
  problems.throwIfAny(`Invalid environment "${root}"`);
  return input as ValidatedEnvironment;
}

interface Addresses {
  readonly nodeCidr?: Ipv4Cidr;
  readonly gateway?: number;
  readonly vip?: number;
}

class EnvironmentChecks {
  private addresses: Addresses = {};
  /** How many nodes the pod CIDR has room for (one /NODE_CIDR_MASK_SIZE each). */
  private podCidrNodes?: number;
  /** Nodes of every pool, summed as the pools are read. */
  private nodeCount = 0;
  /** Every node IP seen so far, to find duplicates across pools. */
  private readonly usedIps = new Map<number, string>();

  constructor(
    private readonly problems: Problems,
    private readonly env: Input,
    private readonly root: string,
  ) {}

  run(): void {
    const { problems, env, root } = this;
    const name = readString(problems, env, "name", root);
    if (name !== undefined) checkDnsLabel(problems, name, `${root}.name`, 30);
    const tier = readEnum(problems, env, "tier", root, TIERS);

    this.checkVsphere();
    this.checkNetwork();
    this.checkKubernetes();
    this.checkTemplate();

    const cp = env.controlPlane;
    if (cp === undefined) problems.add(`${root}.controlPlane`, "is required (the control-plane pool)");
    else {
      this.checkPool(cp, `${root}.controlPlane`, "control-plane");
      this.checkReinitialize(cp, `${root}.controlPlane`);
      this.checkRestoreFromSnapshot(cp, `${root}.controlPlane`);
    }
    if (isObject(cp) && typeof cp.count === "number") {
      if (cp.count % 2 === 0) {
        problems.add(`${root}.controlPlane.count`, `${cp.count} is even; etcd needs an odd number of members for quorum: use ${cp.count - 1} or ${cp.count + 1}`);
      }
      const min = tier && TIER_RULES[tier].minControlPlaneNodes;
      if (min && cp.count < min) {
        problems.add(`${root}.controlPlane.count`, `${cp.count} control-plane node(s) in a ${tier} environment; ${tier} needs at least ${min} to survive the loss of one`);
      }
    }
    this.checkWorkers();
    if (this.podCidrNodes !== undefined && this.nodeCount > this.podCidrNodes) {
      const podCidr = isObject(env.kubernetes) ? env.kubernetes.podCidr : undefined;
      problems.add(`${root}.kubernetes.podCidr`, `${show(podCidr)} holds ${this.podCidrNodes} node(s) at a /${NODE_CIDR_MASK_SIZE} each, but the environment has ${this.nodeCount}; use a larger range`);
    }
    this.checkRegistryMirror();
    this.checkSshKeys();
  }

  private checkVsphere(): void {
    const { problems } = this;
    const path = `${this.root}.vsphere`;
    const names = ["datacenter", "computeCluster", "datastore", "network", "folder", "resourcePool"] as const;
    const v = this.env.vsphere === undefined ? this.missing(path) : readObject(problems, this.env.vsphere, path, FIELDS.vsphere);
    if (!v) return;
    const [datacenter, , , , folder, resourcePool] = names.map((key) => readString(problems, v, key, path, key !== "resourcePool"));
    readEnum(problems, v, "version", path, VSPHERE_VERSIONS, false);
    if (folder !== undefined) checkInventoryPaths(problems, `${path}.folder`, folder, datacenter);
    if (resourcePool !== undefined) checkInventoryPaths(problems, `${path}.resourcePool`, resourcePool, datacenter);
  }

  private checkNetwork(): void {
    const { problems } = this;
    const path = `${this.root}.network`;
    const n = this.env.network === undefined ? this.missing(path) : readObject(problems, this.env.network, path, FIELDS.network);
    if (!n) return;
    const nodeCidr = this.cidr(n, "cidr", path);
    const gateway = this.ip(n, "gateway", path);
    if (nodeCidr && gateway !== undefined && !cidrContains(nodeCidr, gateway)) {
      problems.add(`${path}.gateway`, `${show(n.gateway)} is outside the node network ${formatCidr(nodeCidr)}; use the router address of that subnet`);
    } else if (nodeCidr && (gateway === nodeCidr.network || gateway === broadcastAddress(nodeCidr))) {
      problems.add(`${path}.gateway`, `${show(n.gateway)} is the network or broadcast address of ${formatCidr(nodeCidr)}; use the router's host address`);
    }
    this.addresses = { nodeCidr, gateway };
    readStringList(problems, n, "dnsServers", path)?.forEach((s, i) => this.checkIpText(s, `${path}.dnsServers[${i}]`));
    if (Array.isArray(n.dnsServers) && n.dnsServers.length === 0) problems.add(`${path}.dnsServers`, "is empty; give at least one DNS server");
    readStringList(problems, n, "searchDomains", path, false)?.forEach((d, i) => {
      if (!DNS_SUBDOMAIN.test(d)) problems.add(`${path}.searchDomains[${i}]`, `${show(d)} is not a DNS domain (lower-case, e.g. "example.internal")`);
    });
    readStringList(problems, n, "ntpServers", path)?.forEach((s, i) => {
      if (parseIpv4(s) === undefined && !DNS_SUBDOMAIN.test(s)) {
        problems.add(`${path}.ntpServers[${i}]`, `${show(s)} is neither an IPv4 address nor a host name`);
      }
    });
    if (Array.isArray(n.ntpServers) && n.ntpServers.length === 0) problems.add(`${path}.ntpServers`, "is empty; etcd and TLS need synchronized clocks: give at least one NTP server");
    const iface = readString(problems, n, "interface", path, false);
    if (iface !== undefined && !/^[A-Za-z0-9_.-]{1,15}$/.test(iface)) {
      problems.add(`${path}.interface`, `${show(iface)} is not a Linux interface name (1-15 letters, digits, "_", ".", "-"), e.g. "ens192"`);
    }
  }

  private checkKubernetes(): void {
    const { problems } = this;
    const path = `${this.root}.kubernetes`;
    const k = this.env.kubernetes === undefined ? this.missing(path) : readObject(problems, this.env.kubernetes, path, FIELDS.kubernetes);
    if (!k) return;
    const version = readString(problems, k, "version", path);
    if (version !== undefined) {
      const m = /^1\.(\d+)\.(\d+)$/.exec(version);
      if (!m) problems.add(`${path}.version`, `${show(version)} is not an exact Kubernetes version; write x.y.z, e.g. "1.35.9"`);
      else if (Number(m[1]) < MINIMUM_KUBERNETES_MINOR) {
        problems.add(`${path}.version`, `${show(version)} is older than the oldest supported 1.${MINIMUM_KUBERNETES_MINOR}; use 1.${MINIMUM_KUBERNETES_MINOR}.x or newer`);
      }
    }
    const { nodeCidr, gateway } = this.addresses;
    const vip = this.ip(k, "apiVip", path);
    if (vip !== undefined) {
      if (nodeCidr && !cidrContains(nodeCidr, vip)) {
        problems.add(`${path}.apiVip`, `${show(k.apiVip)} is outside the node network ${formatCidr(nodeCidr)}; kube-vip announces it by ARP, so it must be a free address in that subnet`);
      }
      if (vip === gateway) problems.add(`${path}.apiVip`, `${show(k.apiVip)} is the gateway address; pick a free address in the node network`);
      this.addresses = { ...this.addresses, vip };
    }
    const pod = this.cidr(k, "podCidr", path);
    const service = this.cidr(k, "serviceCidr", path);
    if (service && service.prefix > 32 - Math.ceil(Math.log2(CLUSTER_DNS_SERVICE_INDEX + 1))) {
      problems.add(`${path}.serviceCidr`, `${show(k.serviceCidr)} is too small: kubeadm puts the cluster DNS Service at its ${CLUSTER_DNS_SERVICE_INDEX}th address; use a /28 or larger (e.g. a /16 for thousands of Services)`);
    }
    if (pod && pod.prefix > NODE_CIDR_MASK_SIZE) {
      problems.add(`${path}.podCidr`, `${show(k.podCidr)} is smaller than the /${NODE_CIDR_MASK_SIZE} every node is given from it; use a /${NODE_CIDR_MASK_SIZE - 8} or larger (a /16 holds 256 nodes)`);
    } else if (pod) {
      this.podCidrNodes = 2 ** (NODE_CIDR_MASK_SIZE - pod.prefix);
    }
    if (pod && service && cidrsOverlap(pod, service)) {
      problems.add(`${path}.serviceCidr`, `${show(k.serviceCidr)} overlaps podCidr ${formatCidr(pod)}; pods and services need disjoint ranges`);
    }
    for (const [key, cidr] of [["podCidr", pod], ["serviceCidr", service]] as const) {
      if (cidr && nodeCidr && cidrsOverlap(cidr, nodeCidr)) {
        problems.add(`${path}.${key}`, `${show(k[key])} overlaps the node network ${formatCidr(nodeCidr)}; choose a range that is not routed in the datacenter`);
      }
    }
    const domain = readString(problems, k, "dnsDomain", path, false);
    if (domain !== undefined && !DNS_SUBDOMAIN.test(domain)) problems.add(`${path}.dnsDomain`, `${show(domain)} is not a DNS domain, e.g. "cluster.local"`);
    readStringList(problems, k, "apiCertSans", path, false)?.forEach((san, i) => {
      if (parseIpv4(san) === undefined && !DNS_SUBDOMAIN.test(san)) {
        problems.add(`${path}.apiCertSans[${i}]`, `${show(san)} is neither an IPv4 address nor a DNS name`);
      }
    });
  }

  /** The environment's template (required) or a pool's (optional: `<pool path>.template`). */
  private checkTemplate(t: unknown = this.env.template, path = `${this.root}.template`, required = true): void {
    const { problems } = this;
    if (t === undefined) {
      if (required) this.missing(path);
      return;
    }
    if (isObject(t) && "manifest" in t) {
      const m = readObject(problems, t, path, FIELDS.manifestTemplate);
      if (m) readString(problems, m, "manifest", path);
      return;
    }
    const named = readObject(problems, t, path, FIELDS.namedTemplate);
    if (!named) return;
    readString(problems, named, "name", path);
    readString(problems, named, "os", path);
    readInteger(problems, named, "diskGiB", path, { min: MINIMUM_SIZES.osDiskGiB });
    readEnum(problems, named, "firmware", path, ["efi", "bios"] as const, false);
    readEnum(problems, named, "scsiType", path, ["pvscsi", "lsilogic", "lsilogic-sas"] as const, false);
    const version = readString(problems, named, "kubernetesVersion", path);
    if (version !== undefined && !/^1\.\d+\.\d+$/.test(version)) {
      problems.add(`${path}.kubernetesVersion`, `${show(version)} is not an exact Kubernetes version; write x.y.z`);
    }
  }

  private checkWorkers(): void {
    const path = `${this.root}.workers`;
    const pools = readArray(this.problems, this.env, "workers", this.root);
    if (!pools) return;
    if (pools.length === 0) this.problems.add(path, "is empty; define at least one worker pool");
    const seen = new Set<string>(["control-plane"]);
    pools.forEach((pool, i) => {
      this.checkPool(pool, `${path}[${i}]`, "worker");
      if (isObject(pool) && typeof pool.name === "string") {
        if (seen.has(pool.name)) this.problems.add(`${path}[${i}].name`, `${show(pool.name)} is used twice (or collides with the control-plane pool); pool names must be unique`);
        seen.add(pool.name);
      }
    });
  }

  private checkPool(value: unknown, path: string, role: "control-plane" | "worker"): void {
    const { problems } = this;
    const pool = readObject(problems, value, path, role === "control-plane" ? FIELDS.controlPlane : FIELDS.pool);
    if (!pool) return;
    const name = readString(problems, pool, "name", path);
    const envName = typeof this.env.name === "string" ? this.env.name : "";
    // Node names are `<env>-<pool>-<n>` and must stay a valid 63-character hostname.
    if (name !== undefined) checkDnsLabel(problems, name, `${path}.name`, Math.max(1, 63 - envName.length - 5));
    const count = readInteger(problems, pool, "count", path, { min: 1, max: MAX_NODES_PER_POOL });
    this.nodeCount += count ?? 0;
    const min = MINIMUM_SIZES[role];
    readInteger(problems, pool, "cpus", path, { min: min.cpus, why: `kubeadm minimum for ${role} nodes` });
    readInteger(problems, pool, "memoryMiB", path, { min: min.memoryMiB, why: `minimum for ${role} nodes` });
    readInteger(problems, pool, "osDiskGiB", path, { min: MINIMUM_SIZES.osDiskGiB, why: "images, logs and etcd need room" });
    readInteger(problems, pool, "dataDiskGiB", path, { min: MINIMUM_SIZES.dataDiskGiB, why: "smallest useful Ceph OSD", required: false });

    const ips = readArray(problems, pool, "ips", path);
    if (ips && count !== undefined && ips.length !== count) {
      problems.add(`${path}.ips`, `has ${ips.length} address(es) for count ${count}; give exactly one static IP per node`);
    }
    // A list far longer than any pool is a generated mistake: report it once instead of per entry.
    if (ips && ips.length > MAX_NODES_PER_POOL) problems.add(`${path}.ips`, `has ${ips.length} addresses; a pool has at most ${MAX_NODES_PER_POOL} nodes`);
    else ips?.forEach((ip, i) => this.checkNodeIp(ip, `${path}.ips[${i}]`));
    this.checkLabels(pool.labels, `${path}.labels`);
    this.checkTaints(pool.taints, `${path}.taints`);
    this.checkRevisions(pool.nodeRevisions, `${path}.nodeRevisions`, envName, name, count);
    this.checkTemplate(pool.template, `${path}.template`, false);
  }

  private checkNodeIp(value: unknown, path: string): void {
    const address = this.checkIpText(value, path);
    if (address === undefined) return;
    const { nodeCidr, gateway, vip } = this.addresses;
    if (nodeCidr) {
      if (!cidrContains(nodeCidr, address)) this.problems.add(path, `${show(value)} is outside the node network ${formatCidr(nodeCidr)}`);
      else if (address === nodeCidr.network || address === broadcastAddress(nodeCidr)) {
        this.problems.add(path, `${show(value)} is the network or broadcast address of ${formatCidr(nodeCidr)}; use a host address`);
      }
    }
    if (address === gateway) this.problems.add(path, `${show(value)} is the gateway address; give the node its own address`);
    if (address === vip) this.problems.add(path, `${show(value)} is the API VIP; the VIP must not be a node address`);
    const first = this.usedIps.get(address);
    if (first) this.problems.add(path, `${show(value)} is already used by ${first}; every node needs a unique IP`);
    else this.usedIps.set(address, path);
  }

  private checkLabels(value: unknown, path: string): void {
    if (value === undefined) return;
    if (!isObject(value)) {
      this.problems.add(path, `${show(value)} must be a map of label key to value`);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (!isLabelKey(key)) this.problems.add(`${path}.${key}`, `${show(key)} is not a valid label key ([prefix/]name, name up to 63 characters)`);
      if (typeof v !== "string" || !/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(v)) {
        this.problems.add(`${path}.${key}`, `${show(v)} is not a valid label value (up to 63 letters, digits, "-", "_", "."; alphanumeric at both ends)`);
      }
    }
  }

  private checkTaints(value: unknown, path: string): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) {
      this.problems.add(path, `${show(value)} must be a list of {key, value, effect}`);
      return;
    }
    value.forEach((taint, i) => {
      const p = `${path}[${i}]`;
      const t = readObject(this.problems, taint, p, FIELDS.taint);
      if (!t) return;
      const key = readString(this.problems, t, "key", p);
      if (key !== undefined && !isLabelKey(key)) this.problems.add(`${p}.key`, `${show(key)} is not a valid taint key`);
      if (t.value !== undefined && typeof t.value !== "string") this.problems.add(`${p}.value`, `${show(t.value)} must be a string`);
      readEnum(this.problems, t, "effect", p, ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const);
    });
  }

  private checkRevisions(value: unknown, path: string, env: string, pool: string | undefined, count: number | undefined): void {
    if (value === undefined) return;
    if (!isObject(value)) {
      this.problems.add(path, `${show(value)} must be a map of node name to revision number`);
      return;
    }
    const names = pool && count ? Array.from({ length: count }, (_, i) => `${env}-${pool}-${i + 1}`) : undefined;
    for (const [node, revision] of Object.entries(value)) {
      if (names && !names.includes(node)) {
        this.problems.add(`${path}.${node}`, `is not a node of this pool; its nodes are ${names.join(", ")}`);
      }
      if (typeof revision !== "number" || !Number.isInteger(revision) || revision < 0) {
        this.problems.add(`${path}.${node}`, `${show(revision)} must be a whole number >= 0; increase it by one to rebuild the node`);
      }
    }
  }

  /** reinitializeAtRevision fires for one build of the first node: its revision must equal it. */
  private checkReinitialize(cp: unknown, path: string): void {
    if (!isObject(cp) || cp.reinitializeAtRevision === undefined) return;
    const at = cp.reinitializeAtRevision;
    const first = `${typeof this.env.name === "string" ? this.env.name : ""}-${typeof cp.name === "string" ? cp.name : ""}-1`;
    const revisions = isObject(cp.nodeRevisions) ? cp.nodeRevisions : {};
    const current = revisions[first] ?? 0;
    if (typeof at !== "number" || !Number.isInteger(at) || at < 1) {
      this.problems.add(`${path}.reinitializeAtRevision`, `${show(at)} must be a whole number >= 1: the revision of ${first} whose build re-runs kubeadm init`);
    } else if (current !== at) {
      this.problems.add(
        `${path}.reinitializeAtRevision`,
        `${at} but ${first} is at revision ${show(current)}; it applies only to the build at that revision: set nodeRevisions["${first}"] to ${at} to rebuild and re-initialize, or remove reinitializeAtRevision`,
      );
    }
  }

  /** restoreFromSnapshot, like reinitializeAtRevision, fires for the one build of the first node at its revision. */
  private checkRestoreFromSnapshot(cp: unknown, path: string): void {
    if (!isObject(cp) || cp.restoreFromSnapshot === undefined) return;
    const at = `${path}.restoreFromSnapshot`;
    const restore = readObject(this.problems, cp.restoreFromSnapshot, at, FIELDS.restoreFromSnapshot);
    if (!restore) return;
    const snapshot = readString(this.problems, restore, "snapshot", at);
    // An S3 object key, written into the bootstrap's env file: no quotes, spaces or shell characters.
    if (snapshot !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._\/-]{0,1023}$/.test(snapshot)) {
      this.problems.add(`${at}.snapshot`, `${show(snapshot)} is not an object key of the etcd bucket (letters, digits, . _ - /), e.g. "prod/20260101T030000Z-prod-cp-2.db"`);
    }
    const first = `${typeof this.env.name === "string" ? this.env.name : ""}-${typeof cp.name === "string" ? cp.name : ""}-1`;
    const revision = readInteger(this.problems, restore, "atRevision", at, { min: 1, why: `the revision of ${first} whose build restores` });
    const current = (isObject(cp.nodeRevisions) ? cp.nodeRevisions : {})[first] ?? 0;
    if (revision !== undefined && current !== revision) {
      this.problems.add(
        `${at}.atRevision`,
        `${revision} but ${first} is at revision ${show(current)}; the restore applies only to the build at that revision: set nodeRevisions["${first}"] to ${revision} to rebuild and restore, or remove restoreFromSnapshot`,
      );
    }
    if (cp.reinitializeAtRevision !== undefined && cp.reinitializeAtRevision === revision) {
      this.problems.add(`${at}.atRevision`, `${revision} is also reinitializeAtRevision: a build either restores a snapshot or creates an empty cluster; remove one of the two`);
    }
  }

  private checkRegistryMirror(): void {
    const { problems } = this;
    const path = `${this.root}.registryMirror`;
    if (this.env.registryMirror === undefined) return;
    const m = readObject(problems, this.env.registryMirror, path, FIELDS.registryMirror);
    if (!m) return;
    const host = readString(problems, m, "host", path);
    const port = host === undefined ? undefined : /:(\d{1,5})$/.exec(host)?.[1];
    if (host !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/.test(host)) {
      problems.add(`${path}.host`, `${show(host)} must be host[:port] without a scheme or path, e.g. "gitlab.example.internal:5050"`);
    } else if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      problems.add(`${path}.host`, `${show(host)} has port ${Number(port)}, outside 1-65535; use the registry's port, e.g. "gitlab.example.internal:5050"`);
    }
    if (m.pathPrefix !== undefined) {
      if (typeof m.pathPrefix !== "string" || !/^([a-z0-9][-a-z0-9._]*)(\/[a-z0-9][-a-z0-9._]*)*$/.test(m.pathPrefix)) {
        problems.add(`${path}.pathPrefix`, `${show(m.pathPrefix)} must be a registry path without leading or trailing "/", e.g. "platform/mirror"`);
      }
    }
    const charts = readString(problems, m, "chartRepository", path, false);
    if (charts !== undefined && !/^oci:\/\/[^\s/]+(\/[^\s/]+)*$/.test(charts)) {
      problems.add(`${path}.chartRepository`, `${show(charts)} must be an OCI repository URL, e.g. "oci://gitlab.example.internal:5050/platform/charts"`);
    }
    const ca = readString(problems, m, "caPem", path, false);
    if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
      problems.add(`${path}.caPem`, "is not a PEM certificate bundle (expected -----BEGIN CERTIFICATE-----)");
    }
  }

  private checkSshKeys(): void {
    const path = this.root;
    readStringList(this.problems, this.env, "sshAuthorizedKeys", path, false)?.forEach((key, i) => {
      if (key.includes("PRIVATE KEY")) {
        this.problems.add(`${path}.sshAuthorizedKeys[${i}]`, "is a PRIVATE key; never put private keys in config: give the .pub line");
      } else if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/.test(key)) {
        this.problems.add(`${path}.sshAuthorizedKeys[${i}]`, `${show(key.slice(0, 40))}... is not an OpenSSH public key line ("ssh-ed25519 AAAA... comment")`);
      }
    });
  }

  private missing(path: string): undefined {
    this.problems.add(path, "is required");
    return undefined;
  }

  private ip(obj: Input, key: string, path: string): number | undefined {
    if (obj[key] === undefined) {
      this.problems.add(`${path}.${key}`, "is required (an IPv4 address)");
      return undefined;
    }
    return this.checkIpText(obj[key], `${path}.${key}`);
  }

  private checkIpText(value: unknown, path: string): number | undefined {
    const address = typeof value === "string" ? parseIpv4(value) : undefined;
    if (address === undefined) this.problems.add(path, `${show(value)} is not an IPv4 address (four numbers 0-255, e.g. "10.20.0.11")`);
    return address;
  }

  private cidr(obj: Input, key: string, path: string): Ipv4Cidr | undefined {
    const value = obj[key];
    const cidr = typeof value === "string" ? parseCidr(value) : undefined;
    if (value === undefined) {
      this.problems.add(`${path}.${key}`, "is required (an IPv4 CIDR such as 10.20.0.0/24)");
    } else if (!cidr) {
      this.problems.add(`${path}.${key}`, `${show(value)} is not an IPv4 CIDR (address/prefix, e.g. "10.20.0.0/24")`);
    } else if (cidr.hostBits) {
      this.problems.add(`${path}.${key}`, `${show(value)} has host bits set; did you mean "${formatCidr(cidr)}"?`);
    }
    return cidr;
  }
}

function isLabelKey(key: string): boolean {
  const [prefix, name] = key.includes("/") ? key.split("/", 2) : [undefined, key];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/.test(name);
}

/**
 * `folder` and `resourcePool` are paths relative to where the provider looks them up (the
 * datacenter's VM folder; the cluster's root pool). An inventory path ("/dc1/vm/x",
 * "cluster1/Resources/x") would be looked up as a child named "dc1" or "cluster1" and fail at plan.
 */
function checkInventoryPaths(problems: Problems, path: string, value: string, datacenter: string | undefined): void {
  const isFolder = path.endsWith(".folder");
  const parts = value.replace(/^\/+/, "").split("/");
  let relative: string[] | undefined;
  if (isFolder && parts[0] === datacenter && parts[1] === "vm") relative = parts.slice(2);
  else if (!isFolder && parts.includes("Resources")) relative = parts.slice(parts.lastIndexOf("Resources") + 1);
  else if (value.startsWith("/")) relative = parts;
  if (relative) {
    const below = isFolder ? "the datacenter's VM folder" : "the compute cluster's root resource pool";
    const example = relative.join("/") || (isFolder ? "kubernetes" : "k8s");
    problems.add(path, `${show(value)} is an inventory path; give the path below ${below}, e.g. ${show(example)}`);
  } else if (parts.some((part) => part.trim() === "")) {
    problems.add(path, `${show(value)} has an empty path segment; join names with single "/", without a trailing "/"`);
  }
}
