import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import { waitFor } from "../lib/wait.js";

/** A dependency the drill takes away and brings back. */
export interface Dependency {
  readonly name: string;
  /** How it is stopped, for the report ("SIGKILL", "pg_ctl stop -m immediate", …). */
  readonly how: string;
  stop(): Promise<void>;
  /** Resolves once the dependency itself answers again. */
  start(): Promise<void>;
  /**
   * For a dependency whose loss calls do not feel (Redis with the fail-open policy):
   * whether the gateway is using it again.
   */
  inUseAgain?(): Promise<boolean>;
}

export interface FaultRecord {
  readonly name: string;
  readonly how: string;
  /** Milliseconds since the drill started. */
  readonly stoppedAt: number;
  readonly restartedAt: number;
  /** When the dependency answered again (start() resolved). */
  readonly backAt: number;
  /** For dependencies with an in-use probe: when the gateway was seen using it again. */
  readonly inUseAt?: number;
}

/** Stop, keep it down for outageMs, start and wait until it answers, then watch for observeMs. */
export async function runFault(
  dependency: Dependency,
  outageMs: number,
  observeMs: number,
  clock: () => number,
  say: (line: string) => void,
): Promise<FaultRecord> {
  const stoppedAt = clock();
  await dependency.stop();
  say(`${dependency.name} stopped (${dependency.how})`);
  await delay(outageMs);
  const restartedAt = clock();
  await dependency.start();
  const backAt = clock();
  say(`${dependency.name} answers again (start took ${((backAt - restartedAt) / 1000).toFixed(1)} s)`);
  let inUseAt: number | undefined;
  if (dependency.inUseAgain) {
    const probe = dependency.inUseAgain.bind(dependency);
    await waitFor(`the gateway using ${dependency.name} again`, observeMs, probe, undefined, 20).then(
      () => {
        inUseAt = clock();
      },
      () => undefined, // reported as "not within the window"
    );
  }
  const remaining = observeMs - (clock() - backAt);
  if (remaining > 0) await delay(remaining);
  return { name: dependency.name, how: dependency.how, stoppedAt, restartedAt, backAt, ...(inUseAt !== undefined ? { inUseAt } : {}) };
}

/**
 * Whether the restarted (empty: no persistence) Redis holds keys again — the gateway's
 * rate limiter writes one per workspace it counts, so keys mean it uses Redis again.
 */
export async function redisHoldsKeys(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => undefined); // failures surface through connect() below
  try {
    await probe.connect();
    return (await probe.dbsize()) > 0;
  } finally {
    probe.disconnect();
  }
}
