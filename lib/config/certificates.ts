import { readInteger, readObject, readString, type Input } from "./fields";
import { TIER_RULES } from "./defaults";
import { FIELDS } from "./field-lists";
import { Problems, show } from "./problems";
import type { Tier } from "./types";

/**
 * The cluster's certificates over time (`EnvironmentConfig.certificates`): when control-plane nodes renew
 * kubeadm's one-year certificates, and what the synth knows about the ten-year cluster CA. README, "Certificates".
 */
export interface CertificatesConfig {
  /**
   * Control-plane nodes renew their kubeadm certificates (API server, etcd, front-proxy client, the
   * kubeconfigs) once one of them has fewer days left than this (RKE2 renews at 90). The alerts warn at 30 days left.
   * @default 180 on sandbox (the canary: it renews first), 120 on dev, 90 on prod (TIER_RULES.certificateRenewBeforeDays)
   */
  readonly renewBeforeDays?: number;
  /**
   * The cluster CA's expiry (`YYYY-MM-DD`, the stack's `cluster_ca_not_after` output). The CA's end is known
   * only after Terraform created it, so the synth warns from this copy once less than a year is left.
   * @default unknown: no warning (the CA lives 10 years from its creation)
   */
  readonly clusterCaNotAfter?: string;
}

/** The cluster CA has less than this left: the synth warns (a rotation takes a rebuild of every node). */
export const CA_WARNING_DAYS = 365;
/**
 * Renewal must come well before the alerts (30 days left: CERTIFICATE_WARNING_DAYS) and not every day
 * (kubeadm's certificates live 365 days: a renewed set must be beyond the threshold).
 */
const RENEW_BEFORE_DAYS = { min: 45, max: 300 } as const;
const DAY_MS = 86_400_000;

export interface CertificateSettings {
  readonly renewBeforeDays: number;
  /** Epoch milliseconds, when known. */
  readonly clusterCaNotAfter: number | undefined;
}

export function certificateSettings(env: { readonly tier: Tier; readonly certificates?: CertificatesConfig }): CertificateSettings {
  const c = env.certificates ?? {};
  return {
    renewBeforeDays: c.renewBeforeDays ?? TIER_RULES[env.tier].certificateRenewBeforeDays,
    clusterCaNotAfter: c.clusterCaNotAfter === undefined ? undefined : Date.parse(`${c.clusterCaNotAfter}T00:00:00Z`),
  };
}

/** The warning for a cluster CA with less than CA_WARNING_DAYS left (or already expired), if any. */
export function clusterCaWarning(env: { readonly name: string; readonly tier: Tier; readonly certificates?: CertificatesConfig }, now = Date.now()): string | undefined {
  const notAfter = certificateSettings(env).clusterCaNotAfter;
  if (notAfter === undefined) return undefined;
  const days = Math.floor((notAfter - now) / DAY_MS);
  if (days >= CA_WARNING_DAYS) return undefined;
  const when = days < 0 ? `expired ${-days} days ago` : `expires in ${days} days`;
  return `${env.name}.certificates.clusterCaNotAfter: the cluster CA ${when} (${env.certificates?.clusterCaNotAfter}); every node and client certificate dies with it: rotate it now (README, "Rotating the cluster CA")`;
}

/** Checks `env.certificates` (untyped input, inside validateEnvironment). */
export function validateCertificates(env: Input, root: string, problems: Problems): void {
  if (env.certificates === undefined) return;
  const path = `${root}.certificates`;
  const c = readObject(problems, env.certificates, path, FIELDS.certificates);
  if (!c) return;
  readInteger(problems, c, "renewBeforeDays", path, {
    ...RENEW_BEFORE_DAYS,
    required: false,
    why: "renewal must come well before the expiry alerts, which warn at 30 days left",
  });
  const notAfter = readString(problems, c, "clusterCaNotAfter", path, false);
  if (notAfter !== undefined && !isCalendarDate(notAfter)) {
    problems.add(`${path}.clusterCaNotAfter`, `${show(notAfter)} must be a date YYYY-MM-DD, e.g. "2036-11-25" (terraform output cluster_ca_not_after)`);
  }
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
