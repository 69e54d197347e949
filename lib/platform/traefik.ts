import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon } from "./helm-addon";
import { INGRESS_CLASS, IngressClassName, NAMESPACE } from "./names";

/** Traefik's image fields are null in values.yaml; the chart defaults to docker.io + traefik in its templates. */
export const TRAEFIK_IMAGES: readonly ImageField[] = [
  { kind: "split", registryPath: "image.registry", repositoryPath: "image.repository", upstream: "docker.io/library/traefik" },
];

export interface TraefikProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  readonly ingressClass: IngressClassName;
  /** The readiness gate and the CNI. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * One Traefik instance serving exactly one ingress class (`public` for applications, `admin` for platform
 * UIs), in its own namespace. Exposed the on-prem way: a NodePort Service with fixed ports from config
 * (`platform.ingress.<class>`), which the site's load balancer targets on every node (:80 → httpNodePort,
 * :443 → httpsNodePort). Fixed ports so the load balancer config never has to follow a redeploy.
 * Gateway API objects are off: two instances would both claim the same GatewayClass.
 */
export class Traefik extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: TraefikProps) {
    super(scope, id);
    const { context, ingressClass } = props;
    const cls = INGRESS_CLASS[ingressClass];
    const instance = context.platform.ingress[ingressClass];
    const releaseName = `traefik-${ingressClass}` as const;
    this.addon = new HelmAddon(this, "helm", {
      releaseName,
      chart: CHARTS.traefik,
      namespace: NAMESPACE.traefik(ingressClass),
      mirror: context.mirror,
      defaults: {
        gateway: { enabled: false },
        gatewayClass: { enabled: false },
        service: { spec: { type: "NodePort" } },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      },
      environment: {
        deployment: { replicas: instance.replicas ?? context.rules.traefikReplicas },
        // Only the public class is the cluster default: an Ingress without a class is an application's.
        ingressClass: { enabled: true, isDefaultClass: ingressClass === "public", name: cls },
        providers: {
          kubernetesIngress: { ingressClass: cls },
          kubernetesCRD: { ingressClass: cls },
        },
        ports: {
          web: { nodePort: instance.httpNodePort },
          websecure: { nodePort: instance.httpsNodePort },
        },
      },
      images: TRAEFIK_IMAGES,
      overrides: addonOverrides(context, releaseName),
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
  }
}
