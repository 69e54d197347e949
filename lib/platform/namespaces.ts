import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { ITerraformDependable } from "cdktf";
import { ValidateTerraformVersion } from "cdktf/lib/validations/validate-terraform-version";
import { Construct, type IValidation } from "constructs";
import type { PodSecurityLevel } from "../config/security";
import { NAMESPACE } from "./names";
import type { PlatformContext } from "./platform-context";

/**
 * The namespaces the platform's releases install into, owned by Terraform (not `helm --create-namespace`) so
 * they carry Pod Security labels from their first second. calico-system (and calico-apiserver) are not here:
 * the Tigera operator creates and labels them itself (pkg/render/namespaces.go: enforce privileged, version
 * latest) and would fight any other owner.
 */
export const PLATFORM_RELEASE_NAMESPACES = [
  NAMESPACE.calico,
  NAMESPACE.certManager,
  "traefik-public",
  "traefik-admin",
  NAMESPACE.argocd,
  NAMESPACE.monitoring,
  NAMESPACE.rook,
  NAMESPACE.kyverno,
  NAMESPACE.logging,
  NAMESPACE.velero,
  NAMESPACE.snapshotController,
] as const satisfies readonly string[];
export type PlatformReleaseNamespace = (typeof PLATFORM_RELEASE_NAMESPACES)[number];

/**
 * Namespaces Terraform created from the start (no earlier version let Helm create them): never imported by
 * `platform.adoptExistingNamespaces`, since importing a namespace that does not exist fails the plan, and that
 * switch may stay on after the adoption apply.
 */
export const NAMESPACES_NEVER_ADOPTED: readonly PlatformReleaseNamespace[] = [NAMESPACE.kyverno, NAMESPACE.logging, NAMESPACE.velero, NAMESPACE.snapshotController];

export interface NamespacePodSecurity {
  /** The strictest level every pod of the namespace's charts (with our values) passes. */
  readonly level: PodSecurityLevel;
  /** Which pod needs what, or why the charts' pods comply. */
  readonly why: string;
}

/**
 * THE Pod Security level of every platform namespace, with the reason (checked against the vendored values
 * in __tests__/reference/charts and our values in lib/platform/*.ts). `enforce` and `warn` are the level
 * (warn also flags Deployments whose pods enforce would refuse); `audit` is always restricted, so the audit
 * log records everything short of it.
 */
export const NAMESPACE_POD_SECURITY: Readonly<Record<PlatformReleaseNamespace, NamespacePodSecurity>> = {
  "tigera-operator": { level: "privileged", why: "the operator runs with hostNetwork: it must reach the API server before any pod network exists" },
  "cert-manager": {
    level: "restricted",
    why: "controller, webhook, cainjector and startupapicheck: runAsNonRoot, seccomp RuntimeDefault, no privilege escalation, all capabilities dropped (chart defaults)",
  },
  "traefik-public": { level: "restricted", why: "Traefik runs as 65532, seccomp RuntimeDefault, drops ALL, no privilege escalation (chart defaults); it listens on 8000/8443, the NodePort Service maps 80/443" },
  "traefik-admin": { level: "restricted", why: "same chart and values as traefik-public" },
  argocd: {
    level: "restricted",
    why: "every Argo CD container sets runAsNonRoot, seccomp RuntimeDefault, drops ALL (chart defaults); redis and redis-ha (prod) likewise",
  },
  monitoring: {
    level: "privileged",
    why: "prometheus-node-exporter (a subchart of kube-prometheus-stack) needs hostNetwork, hostPID and hostPath mounts of / , /proc and /sys; moving it to a namespace of its own would split the release",
  },
  "rook-ceph": {
    level: "privileged",
    why: "Ceph OSDs and their prepare jobs run privileged on raw devices, mons keep hostPath /var/lib/rook, the CSI node plugins run in the host network with hostPath mounts",
  },
  kyverno: {
    level: "restricted",
    why: "every Kyverno controller and hook job runs as non-root with seccomp RuntimeDefault, no privilege escalation, all capabilities dropped (chart defaults); the webhook listens on 9443, not a privileged port",
  },
  logging: {
    level: "privileged",
    why: "the Fluent Bit DaemonSet reads hostPath /var/log (container logs, the journal) and keeps its positions and buffer there; Loki beside it runs as 10001 without capabilities (chart defaults)",
  },
  velero: {
    level: "privileged",
    why: "the node-agent DaemonSet (file-system backup of pod volumes) mounts the host's /var/lib/kubelet/pods and plugins (hostPath) and runs as root to read every pod's files",
  },
  "snapshot-controller": {
    level: "restricted",
    why: "the snapshot controller runs as 1000 with a read-only root filesystem and drops ALL (chart defaults); we add seccomp RuntimeDefault and no privilege escalation, which the chart leaves out",
  },
};

/**
 * The Pod Security Standard version the labels pin: the cluster's minor ("v1.33"), not "latest". With "latest"
 * a control-plane upgrade can tighten a standard and refuse pods with no plan showing it; pinned, the standard
 * moves only with `kubernetes.version`, as a label change in the same reviewed plan.
 */
export function podSecurityVersion(kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.replace(/^v/, "").split(".");
  return `v${major}.${minor}`;
}

/** The `pod-security.kubernetes.io/*` labels of one namespace. */
export function podSecurityLabels(level: PodSecurityLevel, kubernetesVersion: string): Record<string, string> {
  const version = podSecurityVersion(kubernetesVersion);
  const modes: Record<string, PodSecurityLevel> = { enforce: level, warn: level, audit: "restricted" };
  return Object.fromEntries(
    Object.entries(modes).flatMap(([mode, l]) => [
      [`pod-security.kubernetes.io/${mode}`, l],
      [`pod-security.kubernetes.io/${mode}-version`, version],
    ]),
  );
}

/**
 * `importFrom` without the validation cdktf adds with it: `terraform version` run at synth (~0.2 s per resource,
 * and a failed synth where no Terraform is installed), only to check Terraform >= 1.5, which any Terraform this
 * library runs with is (and an older one rejects the import block itself). The same cast as terraformData().
 */
function importWithoutVersionProbe(resource: NamespaceV1, id: string): void {
  resource.importFrom(id);
  const node = resource.node as unknown as { _validations?: IValidation[] };
  node._validations = node._validations?.filter((v) => !(v instanceof ValidateTerraformVersion));
}

export interface PlatformNamespacesProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** The API readiness gate. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * One `kubernetes_namespace_v1` per platform namespace, labelled from NAMESPACE_POD_SECURITY. Releases depend on
 * their namespace, so Terraform destroys a namespace only after its releases (deleting a namespace deletes
 * everything in it; `helm uninstall` never deletes namespaces). With `platform.adoptExistingNamespaces` each
 * one carries an import block, for the upgrade of an environment whose namespaces Helm created.
 */
export class PlatformNamespaces extends Construct {
  readonly namespaces: Readonly<Record<PlatformReleaseNamespace, NamespaceV1>>;

  constructor(scope: Construct, id: string, props: PlatformNamespacesProps) {
    super(scope, id);
    const { context } = props;
    const namespaces = {} as Record<PlatformReleaseNamespace, NamespaceV1>;
    for (const name of PLATFORM_RELEASE_NAMESPACES) {
      const namespace = new NamespaceV1(this, name, {
        metadata: { name, labels: podSecurityLabels(NAMESPACE_POD_SECURITY[name].level, context.kubernetesVersion) },
        // The release that follows at once must not race the controller that creates the `default` ServiceAccount.
        waitForDefaultServiceAccount: true,
        dependsOn: [...props.dependsOn],
      });
      if (context.platform.adoptExistingNamespaces && !NAMESPACES_NEVER_ADOPTED.includes(name)) importWithoutVersionProbe(namespace, name);
      namespaces[name] = namespace;
    }
    this.namespaces = namespaces;
  }
}
