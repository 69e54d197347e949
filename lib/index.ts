// Public API. Everything exported here is a contract with the repos that compose these constructs;
// construct ids used inside them become Terraform addresses and are part of the contract too.

export type * from "./config/types";
export { validateEnvironment, MINIMUM_SIZES, MINIMUM_KUBERNETES_MINOR } from "./config/validate";
export { ConfigError, Problems } from "./config/problems";
export { environmentWarnings, crossEnvironmentWarnings, type EnvironmentWarning } from "./config/warnings";
export { withNodeRevisions, type NodeRevisions } from "./config/node-revisions";
export { readNodeRevisionFile, writeNodeRevision } from "./day2/revision-file";
export { poolNodes, allNodes, type PoolNode, type NodeRole } from "./config/pool-nodes";
export { mirrorBase, mirroredImage } from "./config/registry-mirror";
export { VSPHERE_VERSIONS, VSPHERE_VERSION_LIMITS, DEFAULT_VSPHERE_VERSION, type VsphereVersion, type VsphereVersionLimits } from "./config/vsphere-versions";

export { VspherePlacement, type VspherePlacementProps } from "./vsphere/placement";
export { NodeTemplate, type NodeTemplateProps } from "./vsphere/node-template";
export { resolveNodeTemplate, parsePackerManifest, type NodeTemplateSpec } from "./vsphere/node-template-spec";
export { NodePool, IGNORED_NODE_CHANGES, DATA_DISK_PROVISIONING, type NodePoolProps } from "./vsphere/node-pool";
export { checkTemplateFit, type PoolTemplateSpecs } from "./vsphere/template-fit";
export { checkVersionSkew, compareVersions, MAX_KUBELET_MINORS_BEHIND, type TemplateVersion, type UpgradeVersions } from "./config/version-skew";
export { DATA_DISK_UNIT, OS_DISK_UNIT, guestDeviceForUnit, guestDiskPathPattern } from "./vsphere/disk-layout";

export * from "./cluster";
export * from "./environment";
export * from "./config/platform";
export * from "./config/security";
export * from "./platform";
export * from "./config/tenants";
export * from "./config/backups";
export * from "./config/logs";
export * from "./config/certificates";
export * from "./tenants";
export * from "./backups";

export { buildStackReport, type StackPlanInput, type StackPlanReport } from "./review/plan-report";
export { planMarkdown } from "./review/plan-markdown";
export { gitLabReport, sumReports, type GitLabTerraformReport } from "./review/gitlab-report";
export { BLAST_RADIUS_RULES, type BlastRadiusRule } from "./review/blast-radius-rules";
export { blastRadiusViolations, refusalMessage } from "./review/blast-radius";
export { synthResources } from "./review/synth-resources";
export { diffSynth } from "./review/synth-diff";
export { synthDiffMarkdown } from "./review/synth-diff-markdown";
export * from "./bom";
