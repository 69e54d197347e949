/**
 * Label of a Secret whose data Terraform writes from values it keeps in its state (a generated credential,
 * the join token): replacing or deleting it loses nothing the next apply cannot write again. The review
 * gate refuses to delete any other Secret (rule `kubernetes-secrets`).
 */
export const REGENERATED_SECRET_LABEL = "vsphere-kubeadm-platform/regenerated";

/** The labels a regenerated Secret carries. */
export const REGENERATED_LABEL = { [REGENERATED_SECRET_LABEL]: "true" } as const;
