import { createHash, randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Redis } from "ioredis";
import type { Logger } from "../lib/logger.js";
import type { SidecarResponse } from "./sidecar-client.js";

/** Where cached plugin answers live: this process, or Redis shared by every replica. */
export interface ResponseStore {
  get(key: string): Promise<SidecarResponse | undefined>;
  set(key: string, value: SidecarResponse, ttlMs: number): Promise<void>;
  /** The current generation of a namespace ("0" when never bumped); see ResponseCache.invalidate. */
  generation(namespaceKey: string): Promise<string>;
  /** Gives a namespace a new, never-used generation that lives at least ttlMs. */
  bumpGeneration(namespaceKey: string, ttlMs: number): Promise<void>;
}

/**
 * Everything that may change an answer is part of its key: workspace, plugin, the
 * plugin's config version in the workspace (a new token or base URL never meets an
 * answer made with the old one), path, query, Accept, the generations of the
 * namespaces the answer belongs to (see ResponseCache.invalidate), the acting user
 * (plugins see X-Orbit-User-Id, so an answer may depend on it) and — when the user's
 * own GitHub token was used — a digest of that token. An entry can therefore never
 * reach another workspace or user. Calls without a user (the WatchPipeline poller)
 * share the workspace-level entries.
 */
export interface CacheScope {
  readonly workspaceId: string;
  readonly pluginId: string;
  readonly configVersion: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly accept?: string;
  readonly user?: { readonly userId: string; readonly githubToken?: string };
  /** Current generations of the answer's namespaces, in a fixed order. */
  readonly generations?: readonly string[];
}

export function cacheKey(scope: CacheScope): string {
  return `orbit:cache:v1:${sha256(scopeText(scope))}`;
}

/**
 * The key of an answer that is never stored (its TTL is 0): it only lets identical calls
 * in flight share one upstream call, inside this process, so the scope's text serves as
 * it is — no digest per call. It never equals a cacheKey.
 */
export function uncachedKey(scope: CacheScope): string {
  return `orbit:uncached:${scopeText(scope)}`;
}

function scopeText(scope: CacheScope): string {
  const user = scope.user ? [scope.user.userId, scope.user.githubToken ? sha256(scope.user.githubToken) : null] : null;
  return JSON.stringify([
    scope.workspaceId,
    scope.pluginId,
    scope.configVersion,
    scope.path,
    scope.query,
    scope.accept ?? "",
    user,
    scope.generations ?? [],
  ]);
}

/**
 * A group of cached answers that one write makes stale together, such as the
 * pipeline and history of one service in one workspace. Parts are joined
 * unambiguously and hashed, so no namespace can collide with another or with an answer.
 */
export function cacheNamespace(...parts: string[]): string {
  return `orbit:cache:v1:gen:${sha256(JSON.stringify(parts))}`;
}

export function createMemoryResponseStore(maxBytes = 64 * 1024 * 1024): ResponseStore {
  const cache = new LRUCache<string, SidecarResponse>({
    maxSize: maxBytes,
    sizeCalculation: (value) => value.body.byteLength + 256,
    ttlAutopurge: false,
  });
  const generations = new LRUCache<string, string>({ max: 100_000, ttlAutopurge: false });
  return {
    async get(key) {
      return cache.get(key);
    },
    async set(key, value, ttlMs) {
      cache.set(key, value, { ttl: ttlMs });
    },
    async generation(namespaceKey) {
      return generations.get(namespaceKey) ?? "0";
    },
    async bumpGeneration(namespaceKey, ttlMs) {
      generations.set(namespaceKey, freshGeneration(), { ttl: ttlMs });
    },
  };
}

export function createRedisResponseStore(redis: Redis, logger: Logger): ResponseStore {
  return {
    async get(key) {
      try {
        const raw = await redis.getBuffer(key);
        if (!raw) return undefined;
        const { status, headers, body } = JSON.parse(raw.toString("utf8")) as {
          status: number;
          headers: Record<string, string>;
          body: string;
        };
        return { status, headers, body: Buffer.from(body, "base64") };
      } catch (error) {
        // A cache that cannot be read is a miss, never a failed call.
        logger.debug({ err: { message: (error as Error).message } }, "response cache read failed");
        return undefined;
      }
    },
    async set(key, value, ttlMs) {
      const payload = JSON.stringify({ status: value.status, headers: value.headers, body: Buffer.from(value.body).toString("base64") });
      await redis.set(key, payload, "PX", ttlMs).catch((error: Error) => {
        logger.debug({ err: { message: error.message } }, "response cache write failed");
      });
    },
    async generation(namespaceKey) {
      try {
        return (await redis.get(namespaceKey)) ?? "0";
      } catch (error) {
        // Unknown generation: a value no entry was stored under, so the read misses.
        logger.debug({ err: { message: (error as Error).message } }, "response cache generation read failed");
        return freshGeneration();
      }
    },
    async bumpGeneration(namespaceKey, ttlMs) {
      await redis.set(namespaceKey, freshGeneration(), "PX", ttlMs).catch((error: Error) => {
        logger.warn({ err: { message: error.message } }, "response cache invalidation failed; cached answers may stay until they expire");
      });
    },
  };
}

/**
 * Unique per bump, never "0": entries stored before the first bump can never match a
 * later generation, even when a generation key expires and is bumped again.
 */
function freshGeneration(): string {
  return `${Date.now().toString(36)}.${randomBytes(6).toString("hex")}`;
}

export interface CachedAnswer {
  readonly response: SidecarResponse;
  readonly fromCache: boolean;
}

export interface ResponseCache {
  /**
   * Answers from the store when it can; otherwise makes one upstream call shared by
   * every identical request in flight, and stores a 200 answer for ttlMs.
   * With `refresh`, the store is not read (the answer is fetched and stored anew):
   * for pollers that exist to see changes. With a ttlMs of 0 (caching off) it is not
   * read either: nothing is stored then, and in Redis a read would be a round trip per call.
   */
  getOrFetch(
    key: string,
    ttlMs: number,
    signal: AbortSignal,
    fetch: (signal: AbortSignal) => Promise<SidecarResponse>,
    options?: { readonly refresh?: boolean },
  ): Promise<CachedAnswer>;
  /** Current generations of namespaces, to put in a CacheScope. */
  generations(namespaceKeys: readonly string[]): Promise<string[]>;
  /**
   * Makes every answer cached under the namespace unreachable: its generation changes,
   * so later keys differ (entries are not deleted; they expire). `ttlMs` must be at
   * least the longest TTL of the namespace's answers.
   */
  invalidate(namespaceKey: string, ttlMs: number): Promise<void>;
}

interface InFlight {
  readonly promise: Promise<SidecarResponse>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * Only 200s are kept, and not those marked `Cache-Control: no-store`: a stock plugin
 * answering from the settings being replaced (blue/green) says so, since the answer
 * would otherwise be cached under the new config version.
 */
const storable = (response: SidecarResponse) => response.status === 200 && !/\bno-store\b/i.test(response.headers["cache-control"] ?? "");

export function createResponseCache(store: ResponseStore, onLookup: (hit: boolean) => void): ResponseCache {
  const inFlight = new Map<string, InFlight>();

  return {
    async getOrFetch(key, ttlMs, signal, fetch, options = {}) {
      if (!options.refresh && ttlMs > 0) {
        const cached = await store.get(key);
        onLookup(cached !== undefined);
        if (cached) return { response: cached, fromCache: true };
      }

      let shared = inFlight.get(key);
      if (!shared) {
        const controller = new AbortController();
        const promise = fetch(controller.signal).then(async (response) => {
          if (ttlMs > 0 && storable(response)) await store.set(key, response, ttlMs);
          return response;
        });
        const entry: InFlight = { promise, controller, waiters: 0 };
        promise.then(
          () => inFlight.delete(key),
          () => inFlight.delete(key),
        );
        inFlight.set(key, entry);
        shared = entry;
      }
      // The shared call is cancelled only when every caller waiting on it has gone.
      const entry = shared;
      entry.waiters++;
      const leave = (cancelled: boolean) => {
        entry.waiters--;
        if (cancelled && entry.waiters === 0) entry.controller.abort(signal.reason);
      };
      return { response: await untilAborted(entry.promise, signal, leave), fromCache: false };
    },
    generations: (namespaceKeys) => Promise.all(namespaceKeys.map((namespaceKey) => store.generation(namespaceKey))),
    invalidate: (namespaceKey, ttlMs) => store.bumpGeneration(namespaceKey, ttlMs),
  };
}

/**
 * The shared call's result for one caller, who may stop waiting (its signal) without
 * cancelling the call for the others. `leave` runs exactly once: cancelled or settled.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, leave: (cancelled: boolean) => void): Promise<T> {
  if (signal.aborted) {
    leave(true);
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const abort = () => {
      leave(true);
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        leave(false);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", abort);
        leave(false);
        reject(error);
      },
    );
  });
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
