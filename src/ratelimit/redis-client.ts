import { Redis } from "ioredis";
import type { Logger } from "../lib/logger.js";

/**
 * A Redis connection that fails fast instead of queueing: when Redis is down, a
 * rate-limit check must get an error at once so the configured policy applies,
 * rather than hang the call. ioredis keeps reconnecting in the background.
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 50, 1_000),
  });
  let lastReported = 0;
  redis.on("error", (error: Error) => {
    // Reconnection attempts repeat every few seconds; one line per 30 s is enough.
    const now = Date.now();
    if (now - lastReported > 30_000) {
      lastReported = now;
      logger.warn({ err: { message: error.message } }, "redis is unreachable; retrying in the background");
    }
  });
  redis.on("ready", () => {
    lastReported = 0;
    logger.info("redis connection ready");
  });
  try {
    await redis.connect();
  } catch (error) {
    logger.warn(
      { err: { message: (error as Error).message } },
      "redis is unreachable at start-up; the rate-limit store-failure policy applies until it returns",
    );
  }
  return redis;
}
