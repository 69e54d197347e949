import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { parseIpv4 } from "../config/ipv4";
import { type PlatformConfig, type TraefikInstanceConfig, tlsConfig, urlScheme } from "../config/platform";
import type { ImageField } from "./air-gap";
import { DEFAULT_CERTIFICATE_SECRET, defaultCertificate } from "./cert-manager";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon } from "./helm-addon";
import { HTTP_REDIRECT_PRIORITY, INGRESS_CLASS, IngressClassName, NAMESPACE } from "./names";
import { deepMerge } from "./values";

/** Traefik's image fields are null in values.yaml; the chart defaults to docker.io + traefik in its templates. */
export const TRAEFIK_IMAGES: readonly ImageField[] = [
  { kind: "split", registryPath: "image.registry", repositoryPath: "image.repository", upstream: "docker.io/library/traefik" },
];

/**
 * Where the site load balancer sits, as Traefik values: its address published in every Ingress's status
 * (`ingressEndpoint`; `publishedService` off, since Traefik prefers it and a NodePort Service has no
 * load-balancer status to copy), and its source addresses trusted for X-Forwarded-* and PROXY protocol.
 */
export function loadBalancerValues(instance: TraefikInstanceConfig): Record<string, unknown> {
  const address = instance.loadBalancerAddress;
  const isIp = address !== undefined && parseIpv4(address) !== undefined;
  const trustedIPs = instance.loadBalancerSourceIps ?? (isIp ? [address] : []);
  const entryPoint = {
    ...(trustedIPs.length > 0 ? { forwardedHeaders: { trustedIPs } } : {}),
    ...(instance.proxyProtocol ? { proxyProtocol: { trustedIPs } } : {}),
  };
  return {
    ...(address !== undefined
      ? { providers: { kubernetesIngress: { publishedService: { enabled: false }, ingressEndpoint: isIp ? { ip: address } : { hostname: address } } } }
      : {}),
    ...(trustedIPs.length > 0
      ? {
          ports: { web: entryPoint, websecure: entryPoint },
          // Cluster policy would SNAT traffic reaching a node without a Traefik pod: Traefik would see a node
          // address instead of the load balancer's, trust nothing and log no client IP.
          service: { spec: { externalTrafficPolicy: "Local" } },
        }
      : {}),
  };
}

/**
 * `web` redirects to `websecure` (the chart turns `to` into websecure's exposed port, `:443`, where the load
 * balancer listens), permanently (301, or 308 for non-GET requests: method and body kept). Traefik's
 * redirect router outranks every Ingress router; under `acme` it is lowered just enough for cert-manager's
 * solver Ingress to answer HTTP-01 challenges on port 80 (names.ts), rather than relying on the ACME server
 * following a redirect to HTTPS. Off with `redirectToHttps: false`, and by default when the UIs are http://.
 */
export function httpRedirectValues(instance: TraefikInstanceConfig, platform: PlatformConfig): Record<string, unknown> {
  if (!(instance.redirectToHttps ?? urlScheme(platform) === "https")) return {};
  const issuer = tlsConfig(platform).issuer;
  const entryPoint = { to: "websecure", scheme: "https", permanent: true, ...(issuer === "acme" ? { priority: HTTP_REDIRECT_PRIORITY } : {}) };
  return { ports: { web: { http: { redirections: { entryPoint } } } } };
}

export interface TraefikProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  readonly ingressClass: IngressClassName;
  /**
   * The readiness gate, the CNI, cert-manager with the ClusterIssuer (the default certificate's CRD and issuer), and
   * the `traefik-crds` release (TraefikCrds): this release skips the chart's CRDs.
   */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * One Traefik instance serving exactly one ingress class (`public` for applications, `admin` for platform
 * UIs), in its own namespace. Exposed the on-prem way: a NodePort Service with fixed ports from config
 * (`platform.ingress.<class>`), which the site's load balancer targets on every node (:80 → httpNodePort,
 * :443 → httpsNodePort). Fixed ports so the load balancer config never has to follow a redeploy.
 * Gateway API objects are off: two instances would both claim the same GatewayClass.
 * TLS: with the site CA issuer, a cert-manager Certificate for `*.<domain>` in the instance's namespace is its
 * default TLSStore certificate (hosts without their own certificate get it instead of Traefik's self-signed one).
 * A `default` TLSStore is cluster-wide and Traefik drops all of them when it finds several, so each instance
 * only reads the one in its own namespace (`defaultTLSResourcesNamespace`).
 */
export class Traefik extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: TraefikProps) {
    super(scope, id);
    const { context, ingressClass } = props;
    const cls = INGRESS_CLASS[ingressClass];
    const instance = context.platform.ingress[ingressClass];
    const releaseName = `traefik-${ingressClass}` as const;
    const namespace = NAMESPACE.traefik(ingressClass);
    const certificate = defaultCertificate(context.platform, namespace);
    this.addon = new HelmAddon(this, "helm", {
      releaseName,
      chart: CHARTS.traefik,
      namespace,
      mirror: context.mirror,
      defaults: {
        gateway: { enabled: false },
        gatewayClass: { enabled: false },
        service: { spec: { type: "NodePort" } },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      },
      environment: deepMerge(loadBalancerValues(instance), httpRedirectValues(instance, context.platform), {
        deployment: { replicas: instance.replicas ?? context.rules.traefikReplicas },
        // Only the public class is the cluster default: an Ingress without a class is an application's.
        ingressClass: { enabled: true, isDefaultClass: ingressClass === "public", name: cls },
        providers: {
          kubernetesIngress: { ingressClass: cls },
          kubernetesCRD: { ingressClass: cls, defaultTLSResourcesNamespace: namespace },
        },
        ports: {
          web: { nodePort: instance.httpNodePort },
          websecure: { nodePort: instance.httpsNodePort },
        },
        ...(certificate
          ? { tlsStore: { default: { defaultCertificate: { secretName: DEFAULT_CERTIFICATE_SECRET } } }, extraObjects: [certificate] }
          : {}),
      }),
      images: TRAEFIK_IMAGES,
      overrides: addonOverrides(context, releaseName),
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
    // The CRDs are the `traefik-crds` release's (Helm would install crds/ once and never upgrade them).
    this.addon.release.skipCrds = true;
  }
}
