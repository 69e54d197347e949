/** What an environment needs from the outside world, so an air-gapped site can mirror it before deploying. */

export interface BomImage {
  /** Canonical upstream reference `<registry>/<repository>:<tag>`, e.g. `quay.io/ceph/ceph:v20.2.4`. */
  readonly image: string;
  /**
   * Where the environment pulls it: `<mirror host>/<pathPrefix>/<image>` (what containerd's hosts.toml and the
   * rewritten values resolve to); the upstream reference without a mirror.
   */
  readonly mirror: string;
  /** Why it is in the list, e.g. `kubeadm 1.35 table`, `helm values of release argo-cd at dex.image`. */
  readonly sources: readonly string[];
}

export interface BomChart {
  readonly release: string;
  readonly chart: string;
  readonly version: string;
  /** Upstream Helm repository (https index) to `helm pull` from. */
  readonly repository: string;
  /** `oci://<chartRepository>` the environment installs from; undefined without a chart mirror. */
  readonly ociTarget?: string;
}

export interface BomProvider {
  /** Fully qualified: `registry.terraform.io/hashicorp/helm`. */
  readonly source: string;
  readonly version: string;
  readonly platforms: readonly string[];
}

/** An input of the node image build (packer/): not pulled by the cluster but needed to build the template. */
export interface BomNodeImageInput {
  /** The packer/ variable that points at it. */
  readonly variable: string;
  readonly what: string;
}

export interface BillOfMaterials {
  readonly environment: string;
  readonly kubernetesVersion: string;
  /** `<host>[/<pathPrefix>]`; undefined when the environment pulls from upstream. */
  readonly mirrorBase?: string;
  readonly registryHost?: string;
  readonly images: readonly BomImage[];
  readonly charts: readonly BomChart[];
  readonly providers: readonly BomProvider[];
  readonly nodeImage: readonly BomNodeImageInput[];
}
