/**
 * Label of a Secret whose data Terraform writes from values it keeps in its state (a generated credential,
 * the join token): replacing or deleting it loses nothing the next apply cannot write again. The review
 * gate refuses to delete any other Secret (rule `kubernetes-secrets`).
 */
export const REGENERATED_SECRET_LABEL = "vsphere-kubeadm-platform/regenerated";

/** The labels a regenerated Secret carries. */
export const REGENERATED_LABEL = { [REGENERATED_SECRET_LABEL]: "true" } as const;

/**
 * The label on every Kubernetes object Terraform creates in tenant namespaces (and its cluster-wide ones): the
 * admission policy protect-terraform-objects refuses anyone else's update or delete of such an object there.
 */
export const MANAGED_BY_TERRAFORM = { "app.kubernetes.io/managed-by": "terraform" } as const;
