import { fieldsOf } from "./fields";
import type {
  GitOpsConfig, IngressConfig, MonitoringConfig, PlatformConfig, SmtpConfig, StorageConfig, TlsConfig, TraefikInstanceConfig,
} from "./platform";
import type { ContainerDefaults, TenantConfig, TenantEgress, TenantGitOps, TenantGroups, TenantQuota } from "./tenants";
import type { BackupsConfig, EtcdSnapshotsConfig, ObjectStoreConfig } from "./backups";
import type { LogForwardConfig, LogsSettingsConfig } from "./logs";
import type { CertificatesConfig } from "./certificates";
import type { AdmissionPoliciesConfig, AuditLogConfig, GitLabCiConfig, OidcConfig, PodSecurityDefaults, SecurityConfig } from "./security";
import type {
  ControlPlaneConfig,
  EnvironmentConfig,
  KubernetesConfig,
  ManifestTemplateConfig,
  NamedTemplateConfig,
  NodeNetworkConfig,
  NodePoolConfig,
  RegistryMirrorConfig,
  RestoreFromSnapshotConfig,
  Taint,
  VsphereConfig,
} from "./types";

/**
 * The known fields of every config object, for the unknown-field check. Each list is checked by the
 * compiler against its interface (fieldsOf): a new field must be added here, where its validation is
 * written, or the library does not compile.
 */
export const FIELDS = {
  environment: fieldsOf<EnvironmentConfig>({
    name: true, tier: true, vsphere: true, network: true, template: true, controlPlane: true, workers: true,
    kubernetes: true, registryMirror: true, sshAuthorizedKeys: true, security: true, platform: true, tenants: true, backups: true, logs: true,
    certificates: true,
  }),
  vsphere: fieldsOf<VsphereConfig>({ datacenter: true, computeCluster: true, datastore: true, network: true, folder: true, resourcePool: true, version: true }),
  network: fieldsOf<NodeNetworkConfig>({ cidr: true, gateway: true, dnsServers: true, searchDomains: true, ntpServers: true, interface: true }),
  kubernetes: fieldsOf<KubernetesConfig>({ version: true, apiVip: true, podCidr: true, serviceCidr: true, dnsDomain: true, apiCertSans: true }),
  manifestTemplate: fieldsOf<ManifestTemplateConfig>({ manifest: true }),
  namedTemplate: fieldsOf<NamedTemplateConfig>({ name: true, os: true, diskGiB: true, firmware: true, kubernetesVersion: true, scsiType: true }),
  pool: fieldsOf<NodePoolConfig>({
    name: true, count: true, cpus: true, memoryMiB: true, osDiskGiB: true, dataDiskGiB: true, ips: true, labels: true, taints: true,
    nodeRevisions: true, template: true,
  }),
  controlPlane: fieldsOf<ControlPlaneConfig>({
    name: true, count: true, cpus: true, memoryMiB: true, osDiskGiB: true, dataDiskGiB: true, ips: true, labels: true, taints: true,
    nodeRevisions: true, reinitializeAtRevision: true, restoreFromSnapshot: true, template: true,
  }),
  taint: fieldsOf<Taint>({ key: true, value: true, effect: true }),
  registryMirror: fieldsOf<RegistryMirrorConfig>({ host: true, pathPrefix: true, chartRepository: true, caPem: true }),
  platform: fieldsOf<PlatformConfig>({
    domain: true, urlScheme: true, ingress: true, tls: true, gitops: true, monitoring: true, storage: true, argocdHa: true, protectPodNetwork: true, protectVolumeSnapshots: true, adoptExistingNamespaces: true,
    overrides: true,
  }),
  ingress: fieldsOf<IngressConfig>({ public: true, admin: true }),
  traefikInstance: fieldsOf<TraefikInstanceConfig>({
    httpNodePort: true, httpsNodePort: true, replicas: true, loadBalancerAddress: true, loadBalancerSourceIps: true, proxyProtocol: true,
    redirectToHttps: true,
  }),
  tlsCa: fieldsOf<Extract<TlsConfig, { issuer: "ca" }>>({ issuer: true }),
  tlsAcme: fieldsOf<Extract<TlsConfig, { issuer: "acme" }>>({ issuer: true, server: true, email: true, caPem: true }),
  gitops: fieldsOf<GitOpsConfig>({
    repoURL: true, path: true, targetRevision: true, username: true, caPem: true, destinationNamespaces: true, extraSourceRepos: true, extraNamespaceResources: true,
  }),
  monitoring: fieldsOf<MonitoringConfig>({
    retention: true, storageGiB: true, alertmanagerStorageGiB: true, receivers: true, defaultReceiver: true, smtp: true, extraProbeUrls: true,
  }),
  smtp: fieldsOf<SmtpConfig>({ smarthost: true, from: true, username: true, requireTls: true }),
  storage: fieldsOf<StorageConfig>({ monCount: true, replication: true }),
  security: fieldsOf<SecurityConfig>({
    auditLog: true, encryptionAtRest: true, encryptionKeys: true, hostFirewall: true, joinTokenRotationHours: true, podSecurity: true, networkPolicies: true, oidc: true, admissionPolicies: true,
    gitlabCi: true,
  }),
  gitlabCi: fieldsOf<GitLabCiConfig>({ issuerUrl: true, audience: true, caPem: true, protectedRefsOnly: true }),
  admissionPolicies: fieldsOf<AdmissionPoliciesConfig>({ mode: true, policies: true }),
  auditLog: fieldsOf<AuditLogConfig>({ maxAgeDays: true, maxSizeMiB: true, maxBackups: true }),
  podSecurity: fieldsOf<PodSecurityDefaults>({ enforce: true, warn: true, audit: true }),
  oidc: fieldsOf<OidcConfig>({
    issuerUrl: true, clientId: true, webClientId: true, usernameClaim: true, groupsClaim: true, caPem: true, adminGroups: true, viewerGroups: true,
  }),
  tenant: fieldsOf<TenantConfig>({
    name: true, stages: true, quota: true, stageQuotas: true, containerDefaults: true, groups: true, gitops: true, ci: true, podSecurity: true, egress: true,
  }),
  tenantQuota: fieldsOf<TenantQuota>({
    cpu: true, cpuLimit: true, memory: true, memoryLimit: true, storage: true, persistentVolumeClaims: true, pods: true, services: true, secrets: true, configMaps: true,
  }),
  containerDefaults: fieldsOf<ContainerDefaults>({ cpuRequest: true, cpuLimit: true, memoryRequest: true, memoryLimit: true }),
  tenantGroups: fieldsOf<TenantGroups>({ admin: true, edit: true, view: true }),
  tenantGitOps: fieldsOf<TenantGitOps>({ repoURL: true, path: true, targetRevision: true, extraSourceRepos: true, username: true }),
  tenantCi: fieldsOf<Exclude<NonNullable<TenantConfig["ci"]>, false>>({ tokenHours: true, gitlabProject: true, gitlabRefs: true }),
  tenantPodSecurity: fieldsOf<NonNullable<TenantConfig["podSecurity"]>>({ level: true, reason: true }),
  tenantEgress: fieldsOf<TenantEgress>({ cidr: true, ports: true }),
  backups: fieldsOf<BackupsConfig>({ objectStore: true, etcdSnapshots: true }),
  certificates: fieldsOf<CertificatesConfig>({ renewBeforeDays: true, clusterCaNotAfter: true }),
  restoreFromSnapshot: fieldsOf<RestoreFromSnapshotConfig>({ snapshot: true, atRevision: true }),
  etcdSnapshots: fieldsOf<EtcdSnapshotsConfig>({ intervalHours: true, retentionDays: true }),
  objectStore: fieldsOf<ObjectStoreConfig>({ endpoint: true, region: true, bucketPrefix: true, caPem: true }),
  logs: fieldsOf<LogsSettingsConfig>({ retentionDays: true, forward: true }),
  logForward: fieldsOf<LogForwardConfig>({ protocol: true, host: true, port: true, caPem: true }),
} as const;
