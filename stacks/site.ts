import type { NodeNetworkConfig, ObjectStoreConfig, RegistryMirrorConfig, SecurityConfig, VsphereConfig } from "../lib";

/**
 * What the three environments share: one vCenter, the site's DNS/NTP and the internal GitLab that
 * mirrors images and charts. Example values for a fictitious site: replace them with yours.
 */
export const site = {
  vsphere: {
    datacenter: "dc1",
    computeCluster: "cluster1",
    datastore: "vsan-datastore",
    network: "k8s-nodes",
  },
  dns: { dnsServers: ["10.0.0.53", "10.0.1.53"], searchDomains: ["example.internal"], ntpServers: ["ntp1.example.internal", "ntp2.example.internal"] },
  registryMirror: {
    host: "gitlab.example.internal:5050",
    pathPrefix: "platform/mirror",
    chartRepository: "oci://gitlab.example.internal:5050/platform/charts",
  },
  /** Node image built in packer/: the manifest pins template, disk size and Kubernetes version. */
  template: { manifest: "packer/manifest.json" },
  kubernetesVersion: "1.35.9",
  /** The site's S3-compatible store (prod's backups and logs); keys from TF_VAR_object_store_access_key_id / _secret_access_key. */
  objectStore: { endpoint: "https://s3.example.internal:9000" },
  security: {
    /**
     * The directory's OIDC issuer (Keycloak realm): kubectl through kubelogin, Grafana and Argo CD single sign-on.
     * The web client's secret comes from TF_VAR_oidc_client_secret.
     */
    oidc: {
      issuerUrl: "https://sso.example.internal/realms/corp",
      clientId: "kubernetes",
      webClientId: "platform-uis",
      adminGroups: ["platform-admins"],
      viewerGroups: ["platform-viewers"],
    },
  },
  /** The internal GitLab as issuer of CI jobs' ID tokens (each environment adds its audience, kubernetes-<env>). */
  gitlabCi: { issuerUrl: "https://gitlab.example.internal" },
} as const satisfies {
  vsphere: Omit<VsphereConfig, "folder">;
  dns: Omit<NodeNetworkConfig, "cidr" | "gateway">;
  registryMirror: RegistryMirrorConfig;
  template: { manifest: string };
  kubernetesVersion: string;
  objectStore: ObjectStoreConfig;
  security: SecurityConfig;
  gitlabCi: Omit<NonNullable<SecurityConfig["gitlabCi"]>, "audience">;
};
