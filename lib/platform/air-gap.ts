import { TerraformVariable } from "cdktf";
import type { HelmProviderRegistries } from "@cdktf/provider-helm/lib/provider";
import type { Construct } from "constructs";
import { mirroredImage } from "../config/registry-mirror";
import type { RegistryMirrorConfig } from "../config/types";
import type { ChartPin } from "./chart-versions";
import { deepMerge, valuesAt } from "./values";

/**
 * Air-gap, in one place for every add-on: where charts come from and where images are pulled from.
 * Mirror layout (see RegistryMirrorConfig): `docker.io/library/x` is mirrored at
 * `<host>/<pathPrefix>/docker.io/library/x`, i.e. the upstream registry host is kept as a path segment,
 * so one mirror holds every upstream registry without name clashes.
 */

/**
 * An image field an add-on declares in its chart's values. `upstream` is what the chart pulls without a
 * mirror (tests compare it with the real values.yaml); with a mirror the field is rewritten.
 * - `ref`: the field holds `registry/repository` (no tag), e.g. argo-cd `global.image.repository`.
 * - `registry`: the field holds only a registry host, e.g. kube-prometheus-stack `*.image.registry`;
 *   `upstream` is that host. `trailingSlash` for APIs that concatenate (Calico's Installation.registry).
 * - `split`: the chart has `registry` + `repository` fields whose defaults live in its templates (Traefik:
 *   both null); `upstream` is the full canonical reference, cut at the first "/".
 */
export type ImageField =
  | { readonly kind: "ref"; readonly path: string; readonly upstream: string }
  | { readonly kind: "registry"; readonly path: string; readonly upstream: string; readonly trailingSlash?: boolean }
  | { readonly kind: "split"; readonly registryPath: string; readonly repositoryPath: string; readonly upstream: string };

/** The values layer that points every declared image field at the mirror ({} without a mirror). */
export function imageMirrorValues(fields: readonly ImageField[], mirror: RegistryMirrorConfig | undefined): Record<string, unknown> {
  if (!mirror) return {};
  const layers = fields.map((field): Record<string, unknown> => {
    switch (field.kind) {
      case "ref":
        return valuesAt(field.path, mirroredImage(field.upstream, mirror));
      case "registry":
        return valuesAt(field.path, mirroredImage(field.upstream, mirror) + (field.trailingSlash ? "/" : ""));
      case "split": {
        const [registry, ...rest] = field.upstream.split("/");
        return deepMerge(
          valuesAt(field.registryPath, mirroredImage(registry, mirror)),
          valuesAt(field.repositoryPath, rest.join("/")),
        );
      }
    }
  });
  return deepMerge(...layers);
}

/** Where a pinned chart is installed from: the OCI mirror when the environment has one, else upstream. */
export function chartSource(pin: ChartPin, mirror: RegistryMirrorConfig | undefined): { repository: string; chart: string } {
  const oci = mirror?.chartRepository?.replace(/\/+$/, "");
  return oci ? { repository: oci, chart: pin.chart } : { repository: pin.repository, chart: pin.chart };
}

/**
 * Credentials of the OCI chart mirror for the helm provider's `registries` list, from two Terraform
 * variables (`helm_registry_username`, `helm_registry_password`, sensitive; set them with
 * TF_VAR_helm_registry_username / TF_VAR_helm_registry_password, e.g. a GitLab deploy token with
 * read_registry). Returns [] (and declares no variable) when charts are not mirrored.
 */
export function chartRegistryCredentials(scope: Construct, mirror: RegistryMirrorConfig | undefined): HelmProviderRegistries[] {
  const oci = mirror?.chartRepository;
  if (!oci) return [];
  const host = oci.replace(/^oci:\/\//, "").split("/")[0];
  const variable = (name: string, description: string) => {
    const v = new TerraformVariable(scope, name, { type: "string", sensitive: true, description });
    v.overrideLogicalId(name); // TF_VAR_<name> must be predictable: no construct-path hash
    return v.stringValue;
  };
  return [
    {
      url: `oci://${host}`,
      username: variable("helm_registry_username", `User for the OCI chart registry ${host} (e.g. a GitLab deploy token name)`),
      password: variable("helm_registry_password", `Password/token for the OCI chart registry ${host}`),
    },
  ];
}
