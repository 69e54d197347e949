import { Release, ReleaseSetSensitive } from "@cdktf/provider-helm/lib/release";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { toYaml } from "../config/yaml-text";
import type { RegistryMirrorConfig } from "../config/types";
import { chartSource, ImageField, imageMirrorValues } from "./air-gap";
import type { ChartPin } from "./chart-versions";
import { deepMerge, HelmValues } from "./values";

/** A secret Helm value: goes through `set_sensitive`, never into the values YAML (which plans print). */
export interface SensitiveValue {
  /** Helm --set path, e.g. "configs.secret.argocdServerAdminPassword". */
  readonly path: string;
  /** Usually a Terraform token: a random_password attribute or a sensitive variable. */
  readonly value: string;
}

export interface HelmAddonProps {
  /** Chart name, repository and exact version: always a row of CHARTS. */
  readonly chart: ChartPin;
  /**
   * Namespace of the release. It must exist: Terraform creates the platform's namespaces with their Pod
   * Security labels (PlatformNamespaces) and every release depends on its own; Helm would create it unlabelled.
   */
  readonly namespace: string;
  /**
   * Helm release name.
   * @default the construct id
   */
  readonly releaseName?: string;
  /** @default no mirror: upstream chart repository and images */
  readonly mirror?: RegistryMirrorConfig;
  /** The add-on's own defaults (lowest precedence). */
  readonly defaults: HelmValues;
  /**
   * Values computed from the environment (sizes, hosts, CIDRs...).
   * @default {}
   */
  readonly environment?: HelmValues;
  /**
   * The user's last word (`platform.overrides.<addon>`), merged after the mirror rewrite.
   * @default {}
   */
  readonly overrides?: HelmValues;
  /**
   * Every image field of the chart's values; rewritten to the mirror when there is one.
   * @default [] (the chart pulls no image, e.g. a CRD-only chart)
   */
  readonly images?: readonly ImageField[];
  /**
   * Values documents already serialized, after the merged ones (later documents win): bulk data such as CRDs,
   * given as JSON (which is YAML) because serializing it as YAML would cost a large part of the synth.
   * @default []
   */
  readonly serializedValues?: readonly string[];
  /** @default [] */
  readonly sensitive?: readonly SensitiveValue[];
  /**
   * Terraform refuses any plan that destroys or replaces this release (`prevent_destroy`).
   * @default false
   */
  readonly preventDestroy?: boolean;
  /** Seconds Helm waits for the release's resources (sized per chart; Helm's 300 s is too short for some). */
  readonly timeoutSeconds: number;
  /**
   * What must exist first: the API readiness gate and the add-ons this one needs. Terraform destroys in the
   * reverse order, so this also encodes the destroy order.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A Terraform string as Helm's `--set` parser (strvals, which the helm provider runs on every `set` and
 * `set_sensitive` value) reads it literally: a comma would end the value and start another assignment,
 * a backslash escapes the next character. Escaped in Terraform, so secrets never pass through here.
 */
export function strvalsLiteral(value: string): string {
  // The literals are HCL source inside cdktf's function call (cdktf does not escape them): "\\" in HCL is
  // one backslash, so this reads replace(replace(v, "\", "\\"), ",", "\,").
  return Fn.replace(Fn.replace(value, "\\\\", "\\\\\\\\"), ",", "\\\\,");
}

/**
 * The one base of every add-on: a single helm_release with a pinned chart, values merged in layers
 * (defaults < environment < mirror < overrides) and serialized ONCE to YAML, secrets only through
 * set_sensitive, atomic installs that clean up after themselves.
 */
export class HelmAddon extends Construct {
  readonly release: Release;
  /** The merged values as given to Helm (without the sensitive ones). */
  readonly values: Record<string, unknown>;
  /** The pinned chart (the bill of materials reads it with the values). */
  readonly chart: ChartPin;
  readonly releaseName: string;

  constructor(scope: Construct, id: string, props: HelmAddonProps) {
    super(scope, id);
    this.chart = props.chart;
    this.releaseName = props.releaseName ?? id;
    this.values = deepMerge(props.defaults, props.environment, imageMirrorValues(props.images ?? [], props.mirror), props.overrides);
    const source = chartSource(props.chart, props.mirror);
    const setSensitive: ReleaseSetSensitive[] = (props.sensitive ?? []).map((s) => ({ name: s.path, value: strvalsLiteral(s.value), type: "string" }));
    this.release = new Release(this, "release", {
      name: this.releaseName,
      namespace: props.namespace,
      createNamespace: false,
      repository: source.repository,
      chart: source.chart,
      version: props.chart.version,
      // toYaml is yaml's lineWidth 0: never fold long strings (PEM bundles, PromQL) so the YAML round-trips exactly.
      values: [toYaml(this.values), ...(props.serializedValues ?? [])],
      setSensitive: setSensitive.length > 0 ? setSensitive : undefined,
      timeout: props.timeoutSeconds,
      // atomic: a failed install/upgrade is rolled back instead of leaving a half-applied release;
      // cleanup_on_fail: resources created by the failed attempt are deleted.
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
  }
}
