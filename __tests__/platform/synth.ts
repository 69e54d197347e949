import { validateEnvironment } from "../../lib/config/validate";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import type { EnvironmentConfig } from "../../lib/config/types";
import { chartRegistryCredentials } from "../../lib/platform/air-gap";
import { Platform } from "../../lib/platform/platform";
import { PlatformCa } from "../../lib/platform/platform-ca";
import { ObjectStoreCredentials } from "../../lib/backups/object-store-credentials";

export interface SynthRelease {
  /** Terraform resource name (key under resource.helm_release). */
  readonly address: string;
  readonly name: string;
  readonly namespace: string;
  readonly chart: string;
  readonly repository: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
  readonly valuesYaml: string;
  readonly setSensitive: readonly { name: string; value: string; type?: string }[];
  readonly dependsOn: readonly string[];
  readonly raw: Record<string, unknown>;
}

export interface SynthResult {
  readonly json: Record<string, any>;
  /** Releases by Helm release name. */
  readonly releases: Record<string, SynthRelease>;
}

/** Stand-in cluster connection (the pod network gate's inputs). */
export const TEST_CONNECTION = {
  host: "https://10.20.30.10:6443",
  clusterCaCertificate: "TEST-CA-PEM",
  clientCertificate: "TEST-ADMIN-CERT-PEM",
  clientKey: "TEST-ADMIN-KEY-PEM",
} as const;

const cache = new Map<string, SynthResult>();

/** Synthesizes a stack holding only a Platform (dummy providers, a null_resource as readiness gate). */
export function synthPlatform(env: EnvironmentConfig): SynthResult {
  const key = JSON.stringify(env);
  const hit = cache.get(key);
  if (hit) return hit;
  const app = Testing.app() as App;
  const stack = new TerraformStack(app, env.name);
  new HelmProvider(stack, "helm", {
    kubernetes: { host: "https://10.0.0.1:6443", token: "dummy" },
    registries: chartRegistryCredentials(stack, env.registryMirror),
  });
  new RandomProvider(stack, "random");
  new NullProvider(stack, "null");
  const gate = new NullResource(stack, "api-ready");
  const config = validateEnvironment(env);
  const objectStore = new ObjectStoreCredentials(stack, "object-store", config);
  const platformCa = new PlatformCa(stack, "platform-ca", config);
  new Platform(stack, "platform", { config, readiness: gate, connection: TEST_CONNECTION, objectStore, platformCa });
  const json = JSON.parse(Testing.synth(stack)) as Record<string, any>;
  const releases: Record<string, SynthRelease> = {};
  for (const [address, r] of Object.entries<Record<string, any>>(json.resource?.helm_release ?? {})) {
    let values: Record<string, unknown> | undefined;
    releases[r.name] = {
      address,
      name: r.name,
      namespace: r.namespace,
      chart: r.chart,
      repository: r.repository,
      version: r.version,
      valuesYaml: r.values[0],
      // Parsed when a test reads it: most tests read a few releases of the thirty.
      get values() {
        return (values ??= parse(r.values[0]) ?? {});
      },
      setSensitive: r.set_sensitive ?? [],
      dependsOn: r.depends_on ?? [],
      raw: r,
    };
  }
  const result = { json, releases };
  cache.set(key, result);
  return result;
}

/**
 * The Terraform expression inside a set_sensitive value, which HelmAddon wraps in strvalsLiteral's
 * escaping (see strvals-literal.test.ts for that escaping evaluated by Terraform). Throws when the value
 * is not wrapped: every sensitive value must be.
 */
export function sensitiveSource(value: string): string {
  const m = /^\$\{replace\(replace\((.+), "\\\\", "\\\\\\\\"\), ",", "\\\\,"\)\}$/.exec(value);
  if (!m) throw new Error(`set_sensitive value is not escaped for Helm's strvals: ${value}`);
  return m[1];
}
