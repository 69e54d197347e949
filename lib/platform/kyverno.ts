import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { AdmissionPolicyName, AdmissionPolicySetting } from "../config/security";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { HelmAddon } from "./helm-addon";
import { admissionPolicies, exemptNamespaceNames } from "./kyverno-policies";
import { ADMISSION_POLICIES_RELEASE, NAMESPACE } from "./names";
import { addonOverrides, type PlatformContext } from "./platform-context";

/**
 * Every image of the kyverno chart. Its template renders `<image.registry || global.image.registry ||
 * image.defaultRegistry>/<repository>:<tag>`; the controllers default to reg.kyverno.io, the hooks to ghcr.io, so
 * each registry field is set (the highest precedence) to `<mirror>/<upstream registry>`.
 */
export const KYVERNO_IMAGES: readonly ImageField[] = [
  ...["admissionController.initContainer", "admissionController.container", "backgroundController", "cleanupController", "reportsController", "crds.migration"].map(
    (component): ImageField => ({ kind: "registry", path: `${component}.image.registry`, upstream: "reg.kyverno.io" }),
  ),
  // readiness-checker: the pre-delete hooks that remove the webhooks on uninstall, and `helm test`.
  { kind: "registry", path: "webhooksCleanup.image.registry", upstream: "ghcr.io" },
  { kind: "registry", path: "test.image.registry", upstream: "ghcr.io" },
];

/** The Kyverno values that depend on the environment (tests read them back). */
export function kyvernoValues(context: PlatformContext): Record<string, unknown> {
  const admission = context.rules.kyvernoAdmissionReplicas;
  // Background, cleanup and reports controllers elect a leader: a second replica only shortens a failover.
  const others = Math.min(admission, 2);
  const controller = (replicas: number) => ({ replicas, podDisruptionBudget: { enabled: replicas > 1 }, serviceMonitor: { enabled: true } });
  return {
    admissionController: controller(admission),
    backgroundController: controller(others),
    cleanupController: controller(others),
    reportsController: controller(others),
    config: {
      // The API server never calls Kyverno for a platform namespace: a broken or absent Kyverno (failurePolicy Fail
      // in Enforce) can then block tenants only, never the platform's own releases or its pods' restarts.
      webhooks: { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: exemptNamespaceNames() }] } },
    },
  };
}

export interface KyvernoProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Every policy's setting (`securitySettings(env).admissionPolicies`). */
  readonly policies: Readonly<Record<AdmissionPolicyName, AdmissionPolicySetting>>;
  /** The pod network, Kyverno's namespace (and its NetworkPolicies), and kube-prometheus-stack (ServiceMonitor CRD). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * Kyverno and the platform's admission policies, in two releases:
 * - `kyverno` (the upstream chart, CRDs included): admission controller (replicas per tier, PDB when more than one),
 *   background, cleanup and reports controllers, each scraped by Prometheus through a ServiceMonitor.
 * - `admission-policies` (bedag `raw` chart): the ClusterPolicies of kyverno-policies.ts. A release of its own because
 *   custom resources cannot be in the release that creates their CRD, and Kyverno's webhook must answer first.
 */
export class Kyverno extends Construct {
  readonly addon: HelmAddon;
  readonly policies: HelmAddon;

  constructor(scope: Construct, id: string, props: KyvernoProps) {
    super(scope, id);
    const { context } = props;
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "kyverno",
      chart: CHARTS.kyverno,
      namespace: NAMESPACE.kyverno,
      mirror: context.mirror,
      // The CRDs come from the chart's templates (crds subchart): without `keep`, an uninstall would delete them and
      // with them every policy and report in the cluster, tenants' own Policies included.
      defaults: { crds: { annotations: { "helm.sh/resource-policy": "keep" } } },
      environment: kyvernoValues(context),
      images: KYVERNO_IMAGES,
      overrides: addonOverrides(context, "kyverno"),
      timeoutSeconds: 600,
      dependsOn: props.dependsOn,
    });
    this.policies = new HelmAddon(this, "policies", {
      releaseName: ADMISSION_POLICIES_RELEASE,
      chart: CHARTS.raw,
      namespace: NAMESPACE.kyverno,
      mirror: context.mirror,
      defaults: {},
      environment: { resources: admissionPolicies(props.policies, context.mirror) },
      overrides: addonOverrides(context, "admission-policies"),
      timeoutSeconds: 300,
      dependsOn: [...props.dependsOn, this.addon.release],
    });
  }
}
