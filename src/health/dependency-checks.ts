import type { Redis } from "ioredis";
import type { SidecarClient } from "../sidecar/sidecar-client.js";
import type { Database } from "../store/database.js";
import type { DependencyCheck } from "./readiness.js";

/** What readiness checks, and which failures take the replica out of rotation. */
export function dependencyChecks(deps: {
  db: Database;
  redis: Redis | undefined;
  sidecar: SidecarClient | undefined;
  redisCritical: boolean;
  /** False while data calls can ride out an outage on the plugin state last read (PLUGIN_STATE_STALE_GRACE). */
  databaseCritical: boolean;
}): DependencyCheck[] {
  const checks: DependencyCheck[] = [{ name: "database", critical: deps.databaseCritical, check: () => deps.db.ping() }];
  const { redis, sidecar } = deps;
  if (redis) {
    // Only critical when the rate limiter fails closed without it.
    checks.push({ name: "redis", critical: deps.redisCritical, check: async () => void (await redis.ping()) });
  }
  if (sidecar) {
    // Reported, not critical: without it only data calls fail (fast, with UNAVAILABLE).
    checks.push({ name: "sidecar", critical: false, check: () => sidecar.ready() });
  }
  return checks;
}
