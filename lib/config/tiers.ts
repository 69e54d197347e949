import type { Tier } from "./types";

export const TIERS = ["sandbox", "dev", "prod"] as const satisfies readonly Tier[];

export function isTier(value: unknown): value is Tier {
  return (TIERS as readonly unknown[]).includes(value);
}
