import { validateEnvironment } from "../../../lib/config/validate";
import type { EnvironmentConfig } from "../../../lib/config/types";

/** An environment whose nodes and VIP sit on a loopback /24 (`net` = "127.93.0"), validated. */
export function onLoopback(base: EnvironmentConfig, net: string, name: string): EnvironmentConfig {
  const ip = (n: number) => `${net}.${n}`;
  return validateEnvironment({
    ...base,
    name,
    network: { ...base.network, cidr: `${net}.0/24`, gateway: ip(1) },
    controlPlane: { ...base.controlPlane, ips: base.controlPlane.ips.map((_, i) => ip(11 + i)) },
    workers: base.workers.map((pool, p) => ({ ...pool, ips: pool.ips.map((_, i) => ip(31 + 10 * p + i)) })),
    kubernetes: { ...base.kubernetes, apiVip: ip(10) },
  });
}

/** Quick bounds for the tests (production: 3600 s, 10 s, 60 s). */
export const FAST = { joinTimeoutSeconds: 90, retrySeconds: 1, peerProbeSeconds: 2 } as const;
