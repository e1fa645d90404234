/**
 * The egress guard of the sidecar process: every outgoing connection of every
 * plugin (global fetch, http/https global agents) is held to the operator's
 * allow-list (ORBIT_EGRESS_ALLOWED_HOSTS, ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS;
 * see @internal/egress-node). Installed by index.ts before any plugin loads;
 * refusals are counted as orbit_egress_refusals_total{plugin, rule}.
 */
import {
  countRefusals,
  egressPolicyFromEnv,
  EgressSettingError,
  installEgressGuard,
  type EgressPolicy,
} from '@internal/egress-node';

/** The problem with the egress settings, or undefined when they are usable (for preflight). */
export function egressSettingsProblem(env: NodeJS.ProcessEnv): string | undefined {
  try {
    egressPolicyFromEnv(env);
    return undefined;
  } catch (error) {
    if (!(error instanceof EgressSettingError)) throw error;
    return `ORBIT_EGRESS_ALLOWED_HOSTS / ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: ${error.message}. Entries are separated by commas or spaces: host names (api.github.com), patterns (*.atlassian.net), either with :port, IP addresses only as address:port (127.0.0.1:4010, [::1]:4010); private networks as CIDR (10.20.0.0/16).`;
  }
}

export function startEgressGuard(env: NodeJS.ProcessEnv = process.env): EgressPolicy {
  const policy = egressPolicyFromEnv(env);
  installEgressGuard({ policy, onRefusal: countRefusals() });
  return policy;
}
