import rateLimitPlugin from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "../lib/logger.js";
import type { GatewayMetrics } from "../metrics/metrics.js";
import type { RateDecision } from "./rate-decision.js";

/** While the store is unreachable, its failure is logged at most once per this interval. */
const STORE_FAILURE_LOG_INTERVAL_MS = 10_000;

export interface RateLimiterOptions {
  /** Requests per window for a workspace without an override. */
  readonly max: number;
  readonly windowMs: number;
  /** Per-workspace budgets that replace `max`. */
  readonly overrides: ReadonlyMap<string, number>;
  /** Requests per window per client address for calls without a valid token. */
  readonly unauthenticatedMax: number;
  /** With Redis unreachable: refuse (true) or allow and count (false). */
  readonly failClosed: boolean;
  /** Shared store for every replica; without it budgets live in this process. */
  readonly redis?: Redis;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

/**
 * A rate-limit key: the verified workspace; the verified user for tokens without a
 * workspace; the client address when no valid token was sent.
 */
export type RateKey = { readonly workspaceId: string } | { readonly userId: string } | { readonly clientAddress: string };

export interface RateLimiter {
  /** Counts one request against the key's budget and says whether it may proceed. */
  check(request: FastifyRequest, key: RateKey): Promise<RateDecision>;
}

/**
 * Budgets come from @fastify/rate-limit (its in-memory or Redis store); the gateway
 * only decides the key — the verified workspace, never a body field or the address
 * of an authenticated caller — and turns the result into a RateDecision, so the
 * Connect layer can answer RESOURCE_EXHAUSTED correctly for each protocol.
 */
export async function createRateLimiter(fastify: FastifyInstance, options: RateLimiterOptions): Promise<RateLimiter> {
  const keys = new WeakMap<FastifyRequest, string>();
  await fastify.register(rateLimitPlugin, {
    global: false,
    nameSpace: "orbit:ratelimit:",
    ...(options.redis ? { redis: options.redis } : {}),
  });
  const consume = fastify.createRateLimit({
    keyGenerator: (request) => keys.get(request) ?? "unknown",
    max: (_request, key) => budgetFor(key, options),
    timeWindow: options.windowMs,
    // Store failures reach us so the documented policy is applied here, not silently.
    skipOnError: false,
  });

  let lastStoreFailureLog = Number.NEGATIVE_INFINITY;
  let storeFailuresSinceLog = 0;

  return {
    async check(request, key) {
      const storeKey = storeKeyOf(key);
      keys.set(request, storeKey);
      try {
        const result = await consume(request);
        if (result.isAllowed) return { kind: "exempt" };
        const budget = { key: storeKey, limit: result.max, remaining: result.remaining, resetMs: result.ttl };
        if (result.isExceeded) {
          options.metrics.rateLimitExceeded.inc({ kind: storeKey.slice(0, storeKey.indexOf(":")) });
          return { kind: "exceeded", budget, retryAfterMs: result.ttl };
        }
        return { kind: "allowed", budget };
      } catch (error) {
        const policy = options.failClosed ? "refuse" : "allow";
        options.metrics.rateLimitStoreErrors.inc({ policy });
        // Every call fails alike while Redis is away: one line per interval, with the count.
        const now = Date.now();
        storeFailuresSinceLog++;
        if (now - lastStoreFailureLog >= STORE_FAILURE_LOG_INTERVAL_MS) {
          options.logger.warn(
            { err: { message: (error as Error).message }, policy, calls: storeFailuresSinceLog },
            "rate-limit store unreachable; applying the store-failure policy",
          );
          lastStoreFailureLog = now;
          storeFailuresSinceLog = 0;
        }
        return { kind: "store-unavailable", failClosed: options.failClosed };
      }
    },
  };
}

function storeKeyOf(key: RateKey): string {
  if ("workspaceId" in key) return `ws:${key.workspaceId}`;
  if ("userId" in key) return `user:${key.userId}`;
  return `ip:${key.clientAddress}`;
}

function budgetFor(storeKey: string, options: RateLimiterOptions): number {
  if (storeKey.startsWith("ip:")) return options.unauthenticatedMax;
  if (storeKey.startsWith("ws:")) return options.overrides.get(storeKey.slice("ws:".length)) ?? options.max;
  return options.max;
}
