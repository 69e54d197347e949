import { DNS_LABEL, DNS_SUBDOMAIN, Input, isObject, readArray, readEnum, readInteger, readObject, readString, readStringList } from "./fields";
import { PLATFORM_DEFAULTS, TIER_RULES } from "./defaults";
import { FIELDS } from "./field-lists";
import { parseCidr, parseIpv4 } from "./ipv4";
import { checkOverridesForSecrets } from "./override-secrets";
import { Problems, show } from "./problems";
import { isTier } from "./tiers";

/**
 * The platform part of an environment: what the Helm add-ons need beyond the cluster itself.
 * Plain data, validated by `validatePlatform` in the same pass as the rest of the environment.
 */

/** Names of the add-on releases; also the keys of `PlatformConfig.overrides`. */
export const ADDON_NAMES = [
  "calico-crds", "calico", "cert-manager", "cluster-issuer", "traefik-public", "traefik-admin", "argo-cd", "argocd-apps",
  "kube-prometheus-stack", "blackbox-exporter", "rook-ceph", "rook-ceph-cluster", "kyverno", "admission-policies", "loki", "fluent-bit",
  "object-store", "velero", "snapshot-controller",
] as const;
export type AddonName = (typeof ADDON_NAMES)[number];

/** Helm values as plain data (what a values.yaml holds). */
export type HelmValues = { readonly [key: string]: unknown };

/** One Traefik instance, exposed through fixed NodePorts behind the site's load balancer. */
export interface TraefikInstanceConfig {
  /** NodePort (30000-32767) of the `web` (HTTP) entry point; the load balancer forwards :80 here. */
  readonly httpNodePort: number;
  /** NodePort (30000-32767) of the `websecure` (HTTPS) entry point; the load balancer forwards :443 here. */
  readonly httpsNodePort: number;
  /**
   * Traefik pods.
   * @default 1 on sandbox, 2 on dev and prod
   */
  readonly replicas?: number;
  /**
   * The address clients use for this class: the site load balancer's VIP (IPv4) or its DNS name. Traefik
   * publishes it in every Ingress's `status.loadBalancer` (a NodePort Service has no load-balancer status, and
   * Argo CD reports an Ingress without one as Progressing forever).
   * @default no address published (Ingress status stays empty)
   */
  readonly loadBalancerAddress?: string;
  /**
   * Addresses (IPv4 or CIDR) the load balancer connects to the nodes from. Traefik trusts X-Forwarded-* headers
   * (and PROXY protocol headers) only from these, so applications see the real client IP; the Service then uses
   * `externalTrafficPolicy: Local` so kube-proxy does not replace that source address (point the load balancer's
   * health check at the NodePorts: nodes without a Traefik pod refuse them).
   * @default [loadBalancerAddress] when that is an IPv4 address, else [] (no forwarded headers trusted)
   */
  readonly loadBalancerSourceIps?: readonly string[];
  /**
   * The load balancer sends a PROXY protocol (v1/v2) header on both ports (HAProxy `send-proxy`, F5 proxy-protocol
   * profile). Must match the load balancer: Traefik otherwise reads the header as garbage, or misses it.
   * @default false
   */
  readonly proxyProtocol?: boolean;
  /**
   * Plain HTTP (`web`) answers with a permanent redirect (301, 308 for non-GET) to HTTPS on the same host, port 443. Under the
   * `acme` issuer cert-manager's HTTP-01 challenges are still answered on port 80 (their solver Ingress
   * outranks the redirect). Off: `web` serves every Ingress over plain HTTP too (e.g. a load balancer that
   * terminates TLS and forwards to httpNodePort: the redirect would loop).
   * @default true, false when platform.urlScheme is "http"
   */
  readonly redirectToHttps?: boolean;
}

export interface IngressConfig {
  /** Ingress class `public`: the applications' ingress. */
  readonly public: TraefikInstanceConfig;
  /** Ingress class `admin`: platform UIs (Argo CD, Grafana, ...), usually on an internal-only VIP. */
  readonly admin: TraefikInstanceConfig;
}

/** The GitOps repository Argo CD bootstraps from (app-of-apps). */
export interface GitOpsConfig {
  /** Git URL of the environment's GitOps repository (https:// or ssh://), e.g. on the internal GitLab. */
  readonly repoURL: string;
  /** Directory in the repository holding the environment's Applications, e.g. "envs/prod". */
  readonly path: string;
  /**
   * Branch, tag or commit the root Application tracks.
   * @default "main"
   */
  readonly targetRevision?: string;
  /**
   * User name for the repository (e.g. a GitLab deploy token's name); the password/token comes from the
   * sensitive Terraform variable `argocd_repo_password`.
   * @default no credentials (public repository)
   */
  readonly username?: string;
  /**
   * PEM CA that signed the Git server's certificate (internal GitLab with a private CA).
   * @default the system trust store only
   */
  readonly caPem?: string;
  /**
   * Namespaces the AppProject lets Applications deploy to (on this cluster only).
   * @default ["*"] except the platform's own namespaces (kube-system, rook-ceph, argocd, ... are denied)
   */
  readonly destinationNamespaces?: readonly string[];
  /**
   * Extra source repositories the AppProject allows besides `repoURL` (e.g. the OCI chart mirror).
   * @default [] (only repoURL)
   */
  readonly extraSourceRepos?: readonly string[];
  /**
   * Namespaced kinds the AppProject allows besides the workload kinds (`WORKLOAD_RESOURCES`: Deployments,
   * Services, Ingresses, RBAC inside the namespace, ...), as `Kind.group` (kubectl's form; core kinds are just
   * `Kind`), e.g. ["KafkaTopic.kafka.strimzi.io"]. Anything else is refused at sync.
   * @default [] (only WORKLOAD_RESOURCES)
   */
  readonly extraNamespaceResources?: readonly string[];
}

/** What every receiver has besides its type. */
export interface AlertReceiverRouting {
  readonly name: string;
  /**
   * Alertmanager matchers choosing the alerts this receiver gets besides the default receiver, all of
   * them must match (e.g. `['severity="critical"']`, `['namespace=~"shop-.*"']`).
   * @default [] (the receiver gets alerts only if it is `monitoring.defaultReceiver`)
   */
  readonly matchers?: readonly string[];
}

export type AlertReceiverConfig = AlertReceiverRouting &
  (
    /** E-mail through the SMTP relay in `monitoring.smtp`. */
    | { readonly type: "email"; readonly to: readonly string[] }
    /** Generic webhook; the URL (often with a token) comes from the sensitive variable `alertmanager_<name>_url`. */
    | { readonly type: "webhook" }
    /** Slack incoming webhook; URL from the sensitive variable `alertmanager_<name>_url`. */
    | { readonly type: "slack"; readonly channel: string }
    /** Microsoft Teams (Workflows webhook, msteamsv2); URL from the sensitive variable `alertmanager_<name>_url`. */
    | { readonly type: "teams" }
  );

export interface SmtpConfig {
  /** host:port of the internal mail relay. */
  readonly smarthost: string;
  readonly from: string;
  /**
   * SMTP user; the password comes from the sensitive variable `alertmanager_smtp_password`.
   * @default no SMTP authentication
   */
  readonly username?: string;
  /** @default true */
  readonly requireTls?: boolean;
}

export interface MonitoringConfig {
  /** Prometheus retention, a Prometheus duration such as "15d". */
  readonly retention: string;
  /** Size of Prometheus' volume on the Ceph block storage class. */
  readonly storageGiB: number;
  /**
   * Size of Alertmanager's volume on the Ceph block storage class.
   * @default 2
   */
  readonly alertmanagerStorageGiB?: number;
  /**
   * Where alerts go: the default receiver gets every alert, each other receiver the alerts its
   * `matchers` select (a receiver with matchers that is also the default gets everything once).
   * @default [] (alerts are only visible in Alertmanager's UI)
   */
  readonly receivers?: readonly AlertReceiverConfig[];
  /**
   * Name of the receiver that gets every alert (Watchdog excepted).
   * @default the first receiver
   */
  readonly defaultReceiver?: string;
  /** @default no SMTP relay (then no email receiver is allowed) */
  readonly smtp?: SmtpConfig;
  /**
   * Extra URLs probed by the blackbox exporter besides the platform UIs (e.g. applications on the public class).
   * @default []
   */
  readonly extraProbeUrls?: readonly string[];
}

export interface StorageConfig {
  /**
   * Ceph monitors.
   * @default 1 on sandbox, 3 on dev and prod
   */
  readonly monCount?: number;
  /**
   * Copies of every block in the RBD pool.
   * @default 1 on sandbox, 3 on dev and prod (2 if dev has fewer than 3 data nodes)
   */
  readonly replication?: number;
}

/**
 * Where the platform's certificates come from (cert-manager ClusterIssuer):
 * - `ca`: the site's own CA signs them; its certificate and key come from the sensitive Terraform variables
 *   `tls_site_ca_cert_pem` / `tls_site_ca_key_pem` (TF_VAR_...). Works fully offline, and a wildcard
 *   `*.<domain>` certificate becomes Traefik's default certificate.
 * - `acme`: an internal ACME server (e.g. step-ca, Vault PKI, an internal Boulder) issues them through HTTP-01
 *   on the ingress the certificate is for. No wildcard (HTTP-01 cannot prove one), so Traefik keeps its own
 *   default certificate for hosts without a certificate.
 */
export type TlsConfig =
  | { readonly issuer: "ca" }
  | {
      readonly issuer: "acme";
      /** ACME directory URL, e.g. "https://acme.example.internal/acme/acme/directory". */
      readonly server: string;
      /** Account contact e-mail registered with the ACME server. */
      readonly email: string;
      /**
       * PEM CA of the ACME server's own TLS certificate and of the certificates it issues: cert-manager trusts
       * it for the ACME API, the blackbox probes trust it for the URLs they check.
       * @default the system trust stores only
       */
      readonly caPem?: string;
    };

export interface PlatformConfig {
  /** DNS domain of the platform UIs: argocd.<domain>, grafana.<domain>, alertmanager.<domain>, prometheus.<domain>. */
  readonly domain: string;
  /**
   * URL scheme users (and the blackbox probes) reach the UIs with through the load balancer.
   * @default "https"
   */
  readonly urlScheme?: "http" | "https";
  readonly ingress: IngressConfig;
  /**
   * Certificates of every platform ingress and Traefik's default certificate (cert-manager).
   * @default { issuer: "ca" }: the site CA from `tls_site_ca_cert_pem` / `tls_site_ca_key_pem`
   */
  readonly tls?: TlsConfig;
  readonly gitops: GitOpsConfig;
  readonly monitoring: MonitoringConfig;
  /** @default sized from the environment tier (see StorageConfig) */
  readonly storage?: StorageConfig;
  /**
   * Argo CD in high availability (redis-ha, 2 servers/repo servers).
   * @default true on prod, false otherwise
   */
  readonly argocdHa?: boolean;
  /**
   * Terraform refuses to destroy or replace the Calico CRD release (`prevent_destroy`): uninstalling it
   * deletes the Calico CRDs and with them the pod network of every workload. Set false in the one merge
   * request that destroys the environment on purpose.
   * @default true on dev and prod, false on sandbox (which must stay destroyable)
   */
  readonly protectPodNetwork?: boolean;
  /**
   * Terraform refuses to destroy or replace the snapshot-controller release (`prevent_destroy`): uninstalling it
   * deletes the VolumeSnapshot CRDs (they are templates of the chart) and with them every VolumeSnapshot and
   * VolumeSnapshotContent in the cluster. Set false in the one merge request that destroys the environment on purpose.
   * @default true on dev and prod, false on sandbox (which must stay destroyable)
   */
  readonly protectVolumeSnapshots?: boolean;
  /**
   * Adopt the platform namespaces an earlier version let Helm create: Terraform import blocks bring each one
   * into state (then labels them). Set it for the one upgrade apply of an environment deployed before
   * Terraform owned its namespaces; never on a new environment (importing a namespace that does not exist
   * fails the plan). Left on afterwards it is a no-op: Terraform skips an import block whose resource is in state.
   * @default false
   */
  readonly adoptExistingNamespaces?: boolean;
  /**
   * Last-word Helm values per add-on, deep-merged over everything the library computes (escape hatch:
   * checked by nothing but Helm, so prefer a typed field).
   * @default {}
   */
  readonly overrides?: Partial<Record<AddonName, HelmValues>>;
}

/** What every platform certificate is issued from when `platform.tls` is not set. */
export const DEFAULT_TLS: TlsConfig = { issuer: "ca" };

export function tlsConfig(platform: { readonly tls?: TlsConfig }): TlsConfig {
  return platform.tls ?? DEFAULT_TLS;
}

/** The scheme of the platform's UI URLs (`platform.urlScheme`, default https). */
export function urlScheme(platform: { readonly urlScheme?: "http" | "https" }): "http" | "https" {
  return platform.urlScheme ?? PLATFORM_DEFAULTS.urlScheme;
}

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;
/** Alertmanager's matcher syntax: label, operator, value (quoted, or a bare word). */
const ALERTMANAGER_MATCHER = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*(=~|!~|!=|=)\s*("([^"\\]|\\.)*"|[^"\s,{}]*)\s*$/;

/**
 * Checks `env.platform` and its fit with the rest of the environment (data disks for Ceph, replication).
 * Adds `<env>.platform.<path>: <value> <what is wrong, how to fix>` lines to `problems`. Takes untyped input
 * so it can run inside validateEnvironment before the config is trusted.
 */
export function validatePlatform(env: unknown, problems: Problems): void {
  if (!isObject(env)) return;
  const root = `${typeof env.name === "string" ? env.name : "environment"}.platform`;
  if (env.platform === undefined) {
    problems.add(root, "is required (domain, ingress, gitops, monitoring); see README \"Platform\"");
    return;
  }
  const p = readObject(problems, env.platform, root, FIELDS.platform);
  if (!p) return;
  const domain = readString(problems, p, "domain", root);
  if (domain !== undefined && !DNS_SUBDOMAIN.test(domain)) {
    problems.add(`${root}.domain`, `${show(domain)} is not a lower-case DNS name, e.g. "prod.k8s.example.internal"`);
  }
  readEnum(problems, p, "urlScheme", root, ["http", "https"] as const, false);
  for (const flag of ["argocdHa", "protectPodNetwork", "protectVolumeSnapshots", "adoptExistingNamespaces"] as const) {
    if (p[flag] !== undefined && typeof p[flag] !== "boolean") problems.add(`${root}.${flag}`, `${show(p[flag])} must be true or false`);
  }
  checkIngress(problems, p.ingress, `${root}.ingress`);
  const admin = isObject(p.ingress) && isObject(p.ingress.admin) ? p.ingress.admin : {};
  if (p.urlScheme === "http" && admin.redirectToHttps === true) {
    problems.add(`${root}.ingress.admin.redirectToHttps`, `true redirects the UIs' http:// URLs (urlScheme "http") to https://; drop it, or set urlScheme "https"`);
  }
  checkTls(problems, p.tls, `${root}.tls`);
  checkGitops(problems, p.gitops, `${root}.gitops`);
  checkMonitoring(problems, p.monitoring, `${root}.monitoring`);
  checkStorage(problems, env, p.storage, `${root}.storage`);
  if (p.overrides !== undefined && readObject(problems, p.overrides, `${root}.overrides`, ADDON_NAMES)) {
    checkOverridesForSecrets(problems, p.overrides, `${root}.overrides`);
  }
}

function checkIngress(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return problems.add(path, "is required ({ public: {...}, admin: {...} })");
  const ingress = readObject(problems, value, path, FIELDS.ingress);
  if (!ingress) return;
  const seen = new Map<number, string>();
  for (const cls of ["public", "admin"] as const) {
    const ipath = `${path}.${cls}`;
    if (ingress[cls] === undefined) {
      problems.add(ipath, "is required ({ httpNodePort, httpsNodePort })");
      continue;
    }
    const inst = readObject(problems, ingress[cls], ipath, FIELDS.traefikInstance);
    if (!inst) continue;
    readInteger(problems, inst, "replicas", ipath, { min: 1, required: false });
    checkLoadBalancer(problems, inst, ipath);
    for (const key of ["httpNodePort", "httpsNodePort"]) {
      const port = readInteger(problems, inst, key, ipath, { min: NODE_PORT_MIN, why: "the Kubernetes NodePort range" });
      if (port === undefined) continue;
      if (port > NODE_PORT_MAX) {
        problems.add(`${ipath}.${key}`, `${port} is above ${NODE_PORT_MAX}, the end of the Kubernetes NodePort range; pick a port in ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
      } else if (seen.has(port)) {
        problems.add(`${ipath}.${key}`, `${port} is already used by ${seen.get(port)}; every entry point needs its own NodePort`);
      } else seen.set(port, `${ipath}.${key}`);
    }
  }
}

/** True for "a.b.c.d" or "a.b.c.d/n" without host bits. */
function isIpv4OrCidr(text: string): boolean {
  if (parseIpv4(text) !== undefined) return true;
  const cidr = parseCidr(text);
  return cidr !== undefined && !cidr.hostBits;
}

function checkLoadBalancer(problems: Problems, inst: Input, path: string): void {
  const address = readString(problems, inst, "loadBalancerAddress", path, false);
  if (address !== undefined && parseIpv4(address) === undefined && (/^[0-9.]+$/.test(address) || !DNS_SUBDOMAIN.test(address))) {
    problems.add(`${path}.loadBalancerAddress`, `${show(address)} is neither an IPv4 address nor a lower-case DNS name; use the load balancer's VIP (e.g. "10.20.40.10") or its DNS name`);
  }
  const sources = readStringList(problems, inst, "loadBalancerSourceIps", path, false);
  sources?.forEach((ip, i) => {
    if (!isIpv4OrCidr(ip)) problems.add(`${path}.loadBalancerSourceIps[${i}]`, `${show(ip)} is not an IPv4 address or CIDR (without host bits), e.g. "10.20.40.2" or "10.20.40.0/28"`);
  });
  if (inst.redirectToHttps !== undefined && typeof inst.redirectToHttps !== "boolean") {
    problems.add(`${path}.redirectToHttps`, `${show(inst.redirectToHttps)} must be true (the default: HTTP redirected to HTTPS) or false (HTTP served as is)`);
  }
  if (inst.proxyProtocol === undefined) return;
  if (typeof inst.proxyProtocol !== "boolean") return problems.add(`${path}.proxyProtocol`, `${show(inst.proxyProtocol)} must be true or false`);
  const trusted = sources ?? (address !== undefined && parseIpv4(address) !== undefined ? [address] : []);
  if (inst.proxyProtocol && trusted.length === 0) {
    problems.add(`${path}.proxyProtocol`, "true needs the load balancer's source addresses: set loadBalancerSourceIps (Traefik only reads PROXY headers from trusted addresses)");
  }
}

function checkTls(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return;
  if (!isObject(value)) return problems.add(path, `${show(value)} must be an object: { issuer: "ca" } or { issuer: "acme", server, email }`);
  const issuer = readEnum(problems, value, "issuer", path, ["ca", "acme"] as const);
  if (issuer === undefined) return;
  if (issuer === "ca") {
    readObject(problems, value, path, FIELDS.tlsCa);
    return;
  }
  readObject(problems, value, path, FIELDS.tlsAcme);
  const server = readString(problems, value, "server", path);
  if (server !== undefined && !/^https:\/\/[^\s/]+/.test(server)) {
    problems.add(`${path}.server`, `${show(server)} must be the https:// URL of the ACME directory, e.g. "https://acme.example.internal/acme/acme/directory"`);
  }
  const email = readString(problems, value, "email", path);
  if (email !== undefined && !EMAIL.test(email)) problems.add(`${path}.email`, `${show(email)} is not an e-mail address`);
  const ca = readString(problems, value, "caPem", path, false);
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
    problems.add(`${path}.caPem`, "must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
}

function checkGitops(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return problems.add(path, "is required ({ repoURL, path })");
  const g = readObject(problems, value, path, FIELDS.gitops);
  if (!g) return;
  const url = readString(problems, g, "repoURL", path);
  if (url !== undefined && !/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/.test(url)) {
    problems.add(`${path}.repoURL`, `${show(url)} must be an https://, ssh:// or git@ Git URL`);
  }
  const dir = readString(problems, g, "path", path);
  if (dir !== undefined && (dir.startsWith("/") || dir.split("/").includes(".."))) {
    problems.add(`${path}.path`, `${show(dir)} must be a path relative to the repository root, without ".."`);
  }
  readString(problems, g, "targetRevision", path, false);
  readString(problems, g, "username", path, false);
  const ca = readString(problems, g, "caPem", path, false);
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
    problems.add(`${path}.caPem`, "must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  const namespaces = readStringList(problems, g, "destinationNamespaces", path, false);
  namespaces?.forEach((ns, i) => {
    if (ns !== "*" && !DNS_LABEL.test(ns.replace(/\*/g, "x"))) {
      problems.add(`${path}.destinationNamespaces[${i}]`, `${show(ns)} is not a namespace name or glob`);
    }
  });
  readStringList(problems, g, "extraSourceRepos", path, false);
  readStringList(problems, g, "extraNamespaceResources", path, false)?.forEach((kind, i) => {
    if (!KIND_DOT_GROUP.test(kind)) {
      problems.add(`${path}.extraNamespaceResources[${i}]`, `${show(kind)} is not Kind.group (e.g. "KafkaTopic.kafka.strimzi.io", or "ConfigMap" for the core group)`);
    }
  });
}

/** `Kind` or `Kind.group` as kubectl writes them. */
const KIND_DOT_GROUP = /^[A-Z][A-Za-z0-9]*(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function checkMonitoring(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return problems.add(path, "is required ({ retention, storageGiB })");
  const m = readObject(problems, value, path, FIELDS.monitoring);
  if (!m) return;
  const retention = readString(problems, m, "retention", path);
  if (retention !== undefined && !DURATION.test(retention)) {
    problems.add(`${path}.retention`, `${show(retention)} is not a Prometheus duration; use e.g. "15d" or "12h"`);
  }
  readInteger(problems, m, "storageGiB", path, { min: 1 });
  readInteger(problems, m, "alertmanagerStorageGiB", path, { min: 1, required: false });
  const smtp = m.smtp === undefined ? undefined : readObject(problems, m.smtp, `${path}.smtp`, FIELDS.smtp);
  if (smtp) {
    const host = readString(problems, smtp, "smarthost", `${path}.smtp`);
    if (host !== undefined && !HOST_PORT.test(host)) problems.add(`${path}.smtp.smarthost`, `${show(host)} must be host:port, e.g. "smtp.example.internal:587"`);
    const from = readString(problems, smtp, "from", `${path}.smtp`);
    if (from !== undefined && !EMAIL.test(from)) problems.add(`${path}.smtp.from`, `${show(from)} is not an e-mail address`);
    readString(problems, smtp, "username", `${path}.smtp`, false);
  }
  const receivers = readArray(problems, m, "receivers", path, false) ?? [];
  const names = new Set<string>();
  receivers.forEach((r, i) => {
    const rpath = `${path}.receivers[${i}]`;
    if (!isObject(r)) return problems.add(rpath, `${show(r)} must be an object ({ name, type, ... })`);
    const type = readEnum(problems, r, "type", rpath, ["email", "webhook", "slack", "teams"] as const);
    const extra = type === "email" ? ["to"] : type === "slack" ? ["channel"] : [];
    readObject(problems, r, rpath, ["name", "type", "matchers", ...extra]);
    const matchers = readStringList(problems, r, "matchers", rpath, false);
    matchers?.forEach((m, j) => {
      if (!ALERTMANAGER_MATCHER.test(m)) problems.add(`${rpath}.matchers[${j}]`, `${show(m)} is not an Alertmanager matcher; write label, operator (=, !=, =~, !~) and a quoted value, e.g. 'severity="critical"'`);
    });
    const name = readString(problems, r, "name", rpath);
    if (name !== undefined) {
      if (!DNS_LABEL.test(name) || name === "null") {
        problems.add(`${rpath}.name`, `${show(name)} must be a DNS-1123 label other than "null" (it names a Terraform variable)`);
      } else if (names.has(name)) problems.add(`${rpath}.name`, `${show(name)} is used by another receiver; names must be unique`);
      names.add(name);
    }
    if (type === "email") {
      const to = readStringList(problems, r, "to", rpath);
      to?.forEach((addr, j) => { if (!EMAIL.test(addr)) problems.add(`${rpath}.to[${j}]`, `${show(addr)} is not an e-mail address`); });
      if (to?.length === 0) problems.add(`${rpath}.to`, "is empty; list at least one address");
      if (!smtp) problems.add(`${rpath}.type`, `"email" needs ${path}.smtp (the mail relay); add it or use another receiver type`);
    }
    if (type === "slack") readString(problems, r, "channel", rpath);
  });
  const receiverNames = [...names];
  const defaultReceiver = readString(problems, m, "defaultReceiver", path, false) ?? receiverNames[0];
  if (defaultReceiver !== undefined && m.defaultReceiver !== undefined && !names.has(defaultReceiver)) {
    problems.add(`${path}.defaultReceiver`, `${show(defaultReceiver)} is not a receiver; name one of ${receiverNames.join(", ") || "(none: add receivers first)"}`);
  }
  receivers.forEach((r, i) => {
    const unreachable = isObject(r) && typeof r.name === "string" && r.name !== defaultReceiver && !(Array.isArray(r.matchers) && r.matchers.length > 0);
    if (unreachable) {
      problems.add(`${path}.receivers[${i}]`, `${show(r.name)} would never get an alert: give it matchers (e.g. ['severity="critical"']) or make it the defaultReceiver`);
    }
  });
  readStringList(problems, m, "extraProbeUrls", path, false)?.forEach((url, i) => {
    if (!/^https?:\/\/[^\s/]+/.test(url)) problems.add(`${path}.extraProbeUrls[${i}]`, `${show(url)} must be an http:// or https:// URL`);
  });
}

/** Nodes with a data disk (Ceph OSD hosts) in untyped input. */
function dataNodeCount(env: Input): number {
  const workers = Array.isArray(env.workers) ? env.workers : [];
  return workers
    .filter((w): w is Input => isObject(w) && typeof w.dataDiskGiB === "number" && typeof w.count === "number")
    .reduce((sum, w) => sum + (w.count as number), 0);
}

function checkStorage(problems: Problems, env: Input, value: unknown, path: string): void {
  const s = value === undefined ? {} : readObject(problems, value, path, FIELDS.storage);
  if (!s) return;
  const monCount = readInteger(problems, s, "monCount", path, { min: 1, required: false });
  const replication = readInteger(problems, s, "replication", path, { min: 1, required: false });
  const osdNodes = dataNodeCount(env);
  const workersPath = `${path.replace(/\.platform\.storage$/, "")}.workers`;
  if (osdNodes === 0) {
    problems.add(workersPath, "no worker pool has dataDiskGiB; Rook-Ceph (the platform's storage) needs at least one node with a data disk");
    return;
  }
  const rules = isTier(env.tier) ? TIER_RULES[env.tier] : undefined;
  if (rules && osdNodes < rules.minCephDataNodes) {
    problems.add(workersPath, `${osdNodes} node(s) with a data disk in a ${env.tier} environment; ${env.tier} needs at least ${rules.minCephDataNodes} (one Ceph replica per host); raise the count of a pool with dataDiskGiB`);
  }
  if (monCount !== undefined && monCount % 2 === 0) {
    problems.add(`${path}.monCount`, `${monCount} is even; Ceph monitors need an odd number for quorum: use ${monCount - 1} or ${monCount + 1}`);
  }
  const effective = replication ?? rules?.cephReplication(osdNodes);
  if (effective !== undefined && effective > osdNodes) {
    problems.add(
      replication !== undefined ? `${path}.replication` : path,
      `replication ${effective} is more than the ${osdNodes} node(s) with a data disk; with failureDomain "host" Ceph cannot place the copies: lower the replication or add data nodes`,
    );
  }
}
