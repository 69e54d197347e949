import { checkDnsLabel, type Input, isObject, readArray, readEnum, readInteger, readObject, readString, readStringList } from "./fields";
import { FIELDS } from "./field-lists";
import { parseCidr } from "./ipv4";
import { Problems, show } from "./problems";
import type { PodSecurityLevel } from "./security";
import { TIER_RULES } from "./defaults";
import type { Tier } from "./types";
// A pure list of names (no cdktf): the platform's namespaces a tenant must never take.
import { NAMESPACE, PLATFORM_NAMESPACES } from "../platform/names";

/**
 * Tenants: the application teams of an environment (`EnvironmentConfig.tenants`). One entry gives a team its
 * namespaces by convention (one per stage), quotas, default container limits, isolation, RBAC for its
 * directory groups, CI access and an Argo CD project. `tenantSettings()` resolves the defaults; constructs
 * read only that.
 */

/** ResourceQuota of one stage namespace. Quantities in Kubernetes notation ("500m", "4Gi"). */
export interface TenantQuota {
  /** requests.cpu. @default "2" (prod tier "4") */
  readonly cpu?: string;
  /** limits.cpu. @default "4" (prod tier "8") */
  readonly cpuLimit?: string;
  /** requests.memory. @default "4Gi" (prod tier "8Gi") */
  readonly memory?: string;
  /** limits.memory. @default "8Gi" (prod tier "16Gi") */
  readonly memoryLimit?: string;
  /** requests.storage: the sum of every PVC's request. @default "50Gi" (prod tier "200Gi") */
  readonly storage?: string;
  /** @default 10 */
  readonly persistentVolumeClaims?: number;
  /** @default 50 (prod tier 100) */
  readonly pods?: number;
  /** @default 20 */
  readonly services?: number;
  /** @default 50 */
  readonly secrets?: number;
  /** @default 50 */
  readonly configMaps?: number;
}

/** The LimitRange of every stage: what a container without its own requests/limits gets. */
export interface ContainerDefaults {
  /** @default "100m" */
  readonly cpuRequest?: string;
  /** @default "500m" */
  readonly cpuLimit?: string;
  /** @default "128Mi" */
  readonly memoryRequest?: string;
  /** @default "512Mi" */
  readonly memoryLimit?: string;
}

/** Directory groups (OIDC, `security.oidc`) bound in every stage namespace to the ClusterRoles admin, edit, view. */
export interface TenantGroups {
  /** @default [] */
  readonly admin?: readonly string[];
  /** @default [] */
  readonly edit?: readonly string[];
  /** @default [] */
  readonly view?: readonly string[];
}

/** The tenant's GitOps: one Argo CD project and one Application per stage. */
export interface TenantGitOps {
  /** The repository holding the tenant's Helm chart, with `values.yaml` and `values.<stage>.yaml`. */
  readonly repoURL: string;
  /** @default "." (the chart at the repository root) */
  readonly path?: string;
  /** @default "main" */
  readonly targetRevision?: string;
  /** More repositories the project may read (chart dependencies). @default [] */
  readonly extraSourceRepos?: readonly string[];
  /**
   * User of a private `repoURL` (a GitLab deploy token's name, or any user for a project access token): Argo CD gets
   * a repository Secret scoped to the tenant's project, its password from the sensitive variable
   * `tenant_<name>_repo_password` (TF_VAR_tenant_<name>_repo_password).
   * @default none (a public repository)
   */
  readonly username?: string;
}

/** Egress a tenant's pods may open beyond their namespace and DNS (a database, an API outside the cluster). */
export interface TenantEgress {
  readonly cidr: string;
  /** @default every port */
  readonly ports?: readonly { readonly protocol: "TCP" | "UDP"; readonly port: number }[];
}

/** A tenant's CI access (see TenantConfig.ci). */
export interface TenantCi {
  /** @default 24, or no ServiceAccount when `gitlabProject` is set */
  readonly tokenHours?: number;
  /** The GitLab project whose CI jobs get `edit` in every stage namespace, its full path ("group/subgroup/project"). @default none */
  readonly gitlabProject?: string;
  /**
   * Which of the project's refs: "protected" (protected branches and tags, as protected CI variables) or "any".
   * @default "protected"
   */
  readonly gitlabRefs?: "protected" | "any";
}

export interface TenantConfig {
  /** DNS-1123 label, at most 40 characters: the prefix of every namespace (`<name>-dev`; the bare name for the `prod` stage). */
  readonly name: string;
  /**
   * The tenant's stages on this environment; stage `prod` is the namespace named like the tenant.
   * @default ["dev", "integration", "recette", "preproduction"] on sandbox and dev tiers, ["prod"] on prod
   */
  readonly stages?: readonly string[];
  /** Every stage's quota (over the tier defaults). @default the tier defaults */
  readonly quota?: TenantQuota;
  /** Per stage, over `quota`. @default {} */
  readonly stageQuotas?: Readonly<Record<string, TenantQuota>>;
  /** @default the ContainerDefaults defaults */
  readonly containerDefaults?: ContainerDefaults;
  /** @default no group (bindings need `security.oidc`) */
  readonly groups?: TenantGroups;
  /** @default no Argo CD project or Application */
  readonly gitops?: TenantGitOps;
  /**
   * CI access to every stage namespace (`edit` there): a ServiceAccount per stage with a token of `tokenHours` hours,
   * renewed by the first apply after half of it; or, with `gitlabProject` (and `security.gitlabCi`), the project's GitLab
   * CI `id_tokens`, with no stored token at all (then a ServiceAccount only if `tokenHours` is given too, e.g. while
   * moving). `false`: no CI access.
   * @default { tokenHours: 24 }
   */
  readonly ci?: TenantCi | false;
  /**
   * Pod Security level of the tenant's namespaces, below `restricted` only with a reason.
   * @default restricted
   */
  readonly podSecurity?: { readonly level: Exclude<PodSecurityLevel, "restricted">; readonly reason: string };
  /** @default [] */
  readonly egress?: readonly TenantEgress[];
}

/** The stage whose namespace is the tenant's bare name (the convention on production). */
export const PRODUCTION_STAGE = "prod";
export const TENANT_STAGES: Readonly<Record<Tier, readonly string[]>> = {
  sandbox: ["dev", "integration", "recette", "preproduction"],
  dev: ["dev", "integration", "recette", "preproduction"],
  prod: [PRODUCTION_STAGE],
};
/**
 * Scheduling priority of tenant workloads: below every pod that names no class (all platform add-ons, value 0)
 * and far below system-cluster-critical / system-node-critical (2e9, which Calico and kube-system use), so under
 * pressure the scheduler preempts tenant pods, never the platform's. Not globalDefault: a global default would
 * also give the platform's class-less pods this low value and undo the ordering. The admission policy
 * tenant-priority-class sets it on tenant pods that name no class (lib/platform/kyverno-policies.ts).
 */
export const TENANT_PRIORITY_CLASS = { name: "tenant-default", value: -1000, preemptionPolicy: "PreemptLowerPriority" } as const;

export const TENANT_CI_TOKEN_HOURS = 24;
/** Kubernetes refuses a TokenRequest under 10 minutes; a day-long minimum keeps the rotation sane. */
const CI_TOKEN_HOURS = { min: 1, max: 24 * 30 };

const QUOTA_DEFAULTS: Readonly<Record<Tier, Required<TenantQuota>>> = {
  sandbox: { cpu: "2", cpuLimit: "4", memory: "4Gi", memoryLimit: "8Gi", storage: "50Gi", persistentVolumeClaims: 10, pods: 50, services: 20, secrets: 50, configMaps: 50 },
  dev: { cpu: "2", cpuLimit: "4", memory: "4Gi", memoryLimit: "8Gi", storage: "50Gi", persistentVolumeClaims: 10, pods: 50, services: 20, secrets: 50, configMaps: 50 },
  prod: { cpu: "4", cpuLimit: "8", memory: "8Gi", memoryLimit: "16Gi", storage: "200Gi", persistentVolumeClaims: 10, pods: 100, services: 20, secrets: 50, configMaps: 50 },
};
const CONTAINER_DEFAULTS: Required<ContainerDefaults> = { cpuRequest: "100m", cpuLimit: "500m", memoryRequest: "128Mi", memoryLimit: "512Mi" };

/** A tenant's namespace for a stage: `<tenant>-<stage>`, the bare name for `prod`. */
export function tenantNamespace(tenant: string, stage: string): string {
  return stage === PRODUCTION_STAGE ? tenant : `${tenant}-${stage}`;
}

export interface TenantStageSettings {
  readonly stage: string;
  readonly namespace: string;
  readonly quota: Required<TenantQuota>;
}

/** One tenant with every default resolved: what the constructs read. */
export interface TenantSettings {
  readonly name: string;
  readonly stages: readonly TenantStageSettings[];
  readonly containerDefaults: Required<ContainerDefaults>;
  readonly groups: Required<TenantGroups>;
  readonly gitops: (Required<Omit<TenantGitOps, "username">> & Pick<TenantGitOps, "username">) | undefined;
  /** Hours a CI token lives; undefined: no CI ServiceAccount. */
  readonly ciTokenHours: number | undefined;
  /** The GitLab project whose CI `id_tokens` get `edit`, and whether only its protected refs; undefined: none. */
  readonly gitlabCi: { readonly project: string; readonly protectedRefsOnly: boolean } | undefined;
  readonly podSecurity: PodSecurityLevel;
  readonly egress: readonly TenantEgress[];
}

export function tenantSettings(env: { readonly tier: Tier; readonly tenants?: readonly TenantConfig[] }): TenantSettings[] {
  return (env.tenants ?? []).map((t) => ({
    name: t.name,
    stages: (t.stages ?? TENANT_STAGES[env.tier]).map((stage) => ({
      stage,
      namespace: tenantNamespace(t.name, stage),
      quota: { ...QUOTA_DEFAULTS[env.tier], ...t.quota, ...t.stageQuotas?.[stage] },
    })),
    containerDefaults: { ...CONTAINER_DEFAULTS, ...t.containerDefaults },
    groups: { admin: [], edit: [], view: [], ...t.groups },
    gitops: t.gitops && { path: ".", targetRevision: "main", extraSourceRepos: [], ...t.gitops },
    ciTokenHours: t.ci === false ? undefined : (t.ci?.tokenHours ?? (t.ci?.gitlabProject ? undefined : TENANT_CI_TOKEN_HOURS)),
    gitlabCi: t.ci && t.ci.gitlabProject ? { project: t.ci.gitlabProject, protectedRefsOnly: (t.ci.gitlabRefs ?? "protected") === "protected" } : undefined,
    podSecurity: t.podSecurity?.level ?? "restricted",
    egress: t.egress ?? [],
  }));
}

/** Kubernetes quantity ("500m", "2", "4Gi", "1.5G") as a number of base units, or undefined. */
export function parseQuantity(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(value);
  if (!m) return undefined;
  const suffix: Record<string, number> = {
    "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  };
  return Number(m[1]) * suffix[m[2] ?? ""];
}

/** Names no tenant namespace may take: Kubernetes' own, `default`, and the platform's. */
function reservedNamespace(ns: string): string | undefined {
  if (ns.startsWith("kube-") || ns === "default") return "a Kubernetes system namespace";
  if ([...PLATFORM_NAMESPACES, NAMESPACE.argocd].includes(ns as never)) return "a platform namespace";
  return undefined;
}

const STAGE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITIES = ["cpu", "cpuLimit", "memory", "memoryLimit", "storage"] as const;
const COUNTS = ["persistentVolumeClaims", "pods", "services", "secrets", "configMaps"] as const;

/** Checks `env.tenants` (untyped input, inside validateEnvironment). */
export function validateTenants(env: Input, root: string, problems: Problems): void {
  if (env.tenants === undefined) return;
  const list = readArray(problems, env, "tenants", root);
  if (!list) return;
  const tier = env.tier as Tier;
  const taken = new Map<string, string>(); // namespace -> the tenant path that took it
  list.forEach((value, i) => {
    const path = `${root}.tenants[${i}]`;
    const t = readObject(problems, value, path, FIELDS.tenant);
    if (!t) return;
    const name = readString(problems, t, "name", path);
    const nameOk = name !== undefined && checkDnsLabel(problems, name, `${path}.name`, 40);
    const stages = readStages(problems, t, path, tier);
    if (nameOk) {
      for (const stage of stages) {
        const ns = tenantNamespace(name, stage);
        const reserved = reservedNamespace(ns);
        if (reserved) problems.add(`${path}.name`, `${show(name)} gives stage ${stage} the namespace ${ns}, ${reserved}; choose another tenant name`);
        const other = taken.get(ns);
        if (other) problems.add(`${path}.name`, `${show(name)} gives stage ${stage} the namespace ${ns}, which ${other} already has; rename one of them`);
        else taken.set(ns, `${path} (${name})`);
      }
    }
    checkQuota(problems, t.quota, `${path}.quota`);
    if (t.stageQuotas !== undefined) {
      if (!isObject(t.stageQuotas)) problems.add(`${path}.stageQuotas`, `${show(t.stageQuotas)} must be an object of stage -> quota`);
      else {
        for (const [stage, quota] of Object.entries(t.stageQuotas)) {
          if (!stages.includes(stage)) problems.add(`${path}.stageQuotas.${stage}`, `is not a stage of this tenant (${stages.join(", ")}); remove it or add the stage`);
          checkQuota(problems, quota, `${path}.stageQuotas.${stage}`);
        }
      }
    }
    checkContainerDefaults(problems, t.containerDefaults, `${path}.containerDefaults`);
    checkGroups(problems, t.groups, `${path}.groups`);
    checkGitOps(problems, t.gitops, `${path}.gitops`);
    if (t.ci !== undefined && t.ci !== false) checkCi(problems, t.ci, `${path}.ci`, env);
    if (t.podSecurity !== undefined) {
      const psa = readObject(problems, t.podSecurity, `${path}.podSecurity`, FIELDS.tenantPodSecurity);
      if (psa) {
        readEnum(problems, psa, "level", `${path}.podSecurity`, ["baseline", "privileged"]);
        const reason = readString(problems, psa, "reason", `${path}.podSecurity`);
        if (reason !== undefined && reason.trim().length < 10) problems.add(`${path}.podSecurity.reason`, `${show(reason)} is no reason; say which pod needs what (e.g. "the log agent mounts hostPath /var/log")`);
      }
    }
    checkEgress(problems, t, path);
  });
}

/** A GitLab full path: namespace segments and the project, each as GitLab allows (no leading "-", no trailing "." or ".git"). */
const GITLAB_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function checkGitLabProject(problems: Problems, project: string, path: string): void {
  const segments = project.split("/");
  const bad = segments.length < 2 || segments.some((seg) => !GITLAB_SEGMENT.test(seg) || seg.endsWith(".") || seg.endsWith(".git") || seg.endsWith(".atom"));
  if (bad) problems.add(path, `${show(project)} is not a GitLab project path; write its full path as in its URL, e.g. "billing/deploy" or "shop/backend/api" (no https://, no .git)`);
}

function checkCi(problems: Problems, value: unknown, path: string, env: Input): void {
  const ci = readObject(problems, value, path, FIELDS.tenantCi);
  if (!ci) return;
  readInteger(problems, ci, "tokenHours", path, { ...CI_TOKEN_HOURS, required: false, why: "a CI token must expire" });
  const project = readString(problems, ci, "gitlabProject", path, false);
  if (project !== undefined) checkGitLabProject(problems, project, `${path}.gitlabProject`);
  const refs = readEnum(problems, ci, "gitlabRefs", path, ["protected", "any"], false);
  if (refs !== undefined && project === undefined) problems.add(`${path}.gitlabRefs`, "has no effect without gitlabProject; add the project or remove it");
  const gitlab = isObject(env.security) && isObject(env.security.gitlabCi) ? env.security.gitlabCi : undefined;
  if (project !== undefined && !gitlab) {
    problems.add(`${path}.gitlabProject`, `${show(project)} needs the API server to trust GitLab's tokens: set security.gitlabCi ({ issuerUrl, audience }) or remove gitlabProject`);
  }
  const protectedOnly = gitlab?.protectedRefsOnly ?? (typeof env.tier === "string" ? TIER_RULES[env.tier as Tier]?.gitlabCiProtectedRefsOnly : undefined);
  if (refs === "any" && protectedOnly === true) {
    problems.add(`${path}.gitlabRefs`, `"any" cannot work: security.gitlabCi.protectedRefsOnly (true on this tier by default) refuses every unprotected ref's token; remove gitlabRefs or set protectedRefsOnly: false`);
  }
}

function readStages(problems: Problems, t: Input, path: string, tier: Tier): readonly string[] {
  if (t.stages === undefined) return TENANT_STAGES[tier] ?? [];
  const stages = readStringList(problems, t, "stages", path) ?? [];
  if (stages.length === 0) problems.add(`${path}.stages`, "is empty; list at least one stage or leave it out for the tier's defaults");
  stages.forEach((s, i) => {
    if (!STAGE.test(s) || s.length > 20) problems.add(`${path}.stages[${i}]`, `${show(s)} is not a stage name (at most 20 lower-case letters, digits and "-")`);
    if (stages.indexOf(s) !== i) problems.add(`${path}.stages[${i}]`, `${show(s)} is listed twice; list each stage once`);
  });
  return stages;
}

function readQuantity(problems: Problems, obj: Input, key: string, path: string): number | undefined {
  const value = readString(problems, obj, key, path, false);
  if (value === undefined) return undefined;
  const n = parseQuantity(value);
  if (n === undefined || n <= 0) problems.add(`${path}.${key}`, `${show(value)} is not a positive Kubernetes quantity (e.g. "500m", "2", "4Gi")`);
  return n;
}

function checkQuota(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return;
  const q = readObject(problems, value, path, FIELDS.tenantQuota);
  if (!q) return;
  const n = Object.fromEntries(QUANTITIES.map((k) => [k, readQuantity(problems, q, k, path)]));
  for (const key of COUNTS) readInteger(problems, q, key, path, { min: 1, max: 10000, required: false });
  for (const [request, limit] of [["cpu", "cpuLimit"], ["memory", "memoryLimit"]] as const) {
    if (n[request] !== undefined && n[limit] !== undefined && n[request] > n[limit]) {
      problems.add(`${path}.${request}`, `${show(q[request])} is above ${limit} ${show(q[limit])}; no pod could use its requests: raise ${limit} or lower ${request}`);
    }
  }
}

function checkContainerDefaults(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return;
  const d = readObject(problems, value, path, FIELDS.containerDefaults);
  if (!d) return;
  const n = Object.fromEntries((["cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit"] as const).map((k) => [k, readQuantity(problems, d, k, path)]));
  for (const [request, limit] of [["cpuRequest", "cpuLimit"], ["memoryRequest", "memoryLimit"]] as const) {
    const [r, l] = [n[request] ?? parseQuantity(CONTAINER_DEFAULTS[request]), n[limit] ?? parseQuantity(CONTAINER_DEFAULTS[limit])];
    if (r !== undefined && l !== undefined && r > l) problems.add(`${path}.${request}`, `is above ${limit} (the API server refuses such a LimitRange); lower it or raise ${limit}`);
  }
}

function checkGroups(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return;
  const g = readObject(problems, value, path, FIELDS.tenantGroups);
  if (!g) return;
  for (const role of FIELDS.tenantGroups) {
    for (const [i, group] of (readStringList(problems, g, role, path, false) ?? []).entries()) {
      if (/[\s,]/.test(group) || group.startsWith("system:")) {
        problems.add(`${path}.${role}[${i}]`, `${show(group)} must be a directory group name without spaces or commas, not a system: group`);
      }
    }
  }
}

function checkRepoUrl(problems: Problems, url: string, path: string): void {
  if (!/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/.test(url)) problems.add(path, `${show(url)} is not a Git repository URL (https://, ssh:// or git@host:group/repo.git)`);
}

function checkGitOps(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return;
  const g = readObject(problems, value, path, FIELDS.tenantGitOps);
  if (!g) return;
  const repo = readString(problems, g, "repoURL", path);
  if (repo !== undefined) checkRepoUrl(problems, repo, `${path}.repoURL`);
  const chartPath = readString(problems, g, "path", path, false);
  if (chartPath !== undefined && (chartPath.startsWith("/") || chartPath.split("/").includes(".."))) {
    problems.add(`${path}.path`, `${show(chartPath)} must be relative to the repository root, without ".."`);
  }
  readString(problems, g, "targetRevision", path, false);
  const username = readString(problems, g, "username", path, false);
  if (username !== undefined && /[\s:]/.test(username)) problems.add(`${path}.username`, `${show(username)} must be a Git user name without spaces or ":" (the password comes from TF_VAR_tenant_<name>_repo_password)`);
  (readStringList(problems, g, "extraSourceRepos", path, false) ?? []).forEach((r, i) => checkRepoUrl(problems, r, `${path}.extraSourceRepos[${i}]`));
}

function checkEgress(problems: Problems, t: Input, path: string): void {
  const list = readArray(problems, t, "egress", path, false);
  list?.forEach((value, i) => {
    const p = `${path}.egress[${i}]`;
    const e = readObject(problems, value, p, FIELDS.tenantEgress);
    if (!e) return;
    const cidr = readString(problems, e, "cidr", p);
    if (cidr !== undefined && !parseCidr(cidr)) problems.add(`${p}.cidr`, `${show(cidr)} is not an IPv4 CIDR (e.g. "10.50.0.0/24")`);
    readArray(problems, e, "ports", p, false)?.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      const o = readObject(problems, port, pp, ["protocol", "port"]);
      if (!o) return;
      readEnum(problems, o, "protocol", pp, ["TCP", "UDP"]);
      readInteger(problems, o, "port", pp, { min: 1, max: 65535 });
    });
  });
}
