import type { TenantConfig } from "../lib";

/**
 * The site's application teams, the same on every environment: each gets its stages from the tier
 * (`<team>-dev` ... `<team>-preproduction` on sandbox and dev, the bare `<team>` on prod). Onboarding a team is
 * one entry here, in one merge request. Example teams of a fictitious site: replace them with yours.
 */
export const tenants = [
  {
    name: "billing",
    groups: { admin: ["billing-leads"], edit: ["billing-devs"], view: ["billing-support"] },
    // A private repository: Argo CD reads it with a deploy token (TF_VAR_tenant_billing_repo_password).
    gitops: { repoURL: "https://gitlab.example.internal/billing/deploy.git", path: "chart", username: "argocd-billing" },
    // The billing database runs outside the cluster.
    egress: [{ cidr: "10.50.10.0/24", ports: [{ protocol: "TCP", port: 5432 }] }],
  },
  {
    name: "shop",
    groups: { admin: ["shop-leads"], edit: ["shop-devs"] },
    gitops: { repoURL: "https://gitlab.example.internal/shop/deploy.git" },
    quota: { cpu: "4", cpuLimit: "8", memory: "8Gi", memoryLimit: "16Gi", pods: 80 },
    // Its pipeline deploys with GitLab CI ID tokens (security.gitlabCi): protected branches and tags only, no stored token.
    ci: { gitlabProject: "shop/deploy" },
  },
  {
    name: "reports",
    groups: { edit: ["reports-devs"] },
    // Deploys from its own pipeline only (no Argo CD), with a shorter-lived token.
    ci: { tokenHours: 8 },
    containerDefaults: { memoryLimit: "1Gi" },
  },
] as const satisfies readonly TenantConfig[];
