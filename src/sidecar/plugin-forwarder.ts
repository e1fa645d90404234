import type { HandlerContext } from "@connectrpc/connect";
import type { Span } from "@opentelemetry/api";
import type { CatalogueEntry } from "../catalogue/catalogue.js";
import { identityKey, requestIdKey, rpcSpanKey } from "../lib/context-keys.js";
import { HEADERS } from "../lib/header-names.js";
import { confineEndpointPath } from "./endpoint-path.js";
import { forwardBody, forwardHeaders, forwardMethod, forwardQuery } from "./forward-policy.js";
import type { ForwardMethod } from "./forward-policy.js";
import type { PluginCounters } from "./plugin-counters.js";
import type { PluginSettings, PluginSettingsSource } from "./plugin-settings.js";
import { cacheKey, uncachedKey } from "./response-cache.js";
import type { CacheScope, ResponseCache } from "./response-cache.js";
import type { SidecarCaller, SidecarClient, SidecarResponse } from "./sidecar-client.js";
import { upstreamError } from "./upstream-errors.js";

/** A plugin call as a client describes it, before any checks. */
export interface PluginCall {
  readonly httpMethod: string;
  readonly endpointPath: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** A plugin call the gateway itself builds (typed RPCs): already valid and confined. */
export interface PluginRequest {
  readonly method: ForwardMethod;
  /** Absolute path below the plugin's base path; path segments already percent-encoded. */
  readonly path: string;
  /** Sorted by name, so equal queries share a cache entry. */
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** GETs: how long a 200 answer is reused (default: the plugin's TTL); 0 turns caching off. */
  readonly cacheTtlMs?: number;
  /** GETs: namespaces (cacheNamespace) whose invalidation makes this answer stale. */
  readonly cacheNamespaces?: readonly string[];
  /** GETs: skip the cache read, fetch and store a fresh answer (pollers). */
  readonly refresh?: boolean;
}

/** Who calls and for how long: from a Connect call, or built by a background poller. */
export interface Invocation {
  readonly caller: SidecarCaller;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly parentSpan?: Span;
  /** The plugin's settings when the handler already read them (its enabled check); read here otherwise. */
  readonly settings?: PluginSettings;
}

export interface ForwardedAnswer {
  readonly response: SidecarResponse;
  readonly fromCache: boolean;
}

export interface PluginForwarderDeps {
  readonly sidecar: SidecarClient;
  readonly cache: ResponseCache;
  readonly defaultCacheTtlMs: number;
  readonly maxBodyBytes: number;
  readonly counters: PluginCounters;
  /** The called plugin's settings in the caller's workspace (config version, config, decrypted secrets). */
  readonly settings: PluginSettingsSource;
}

/** Generation keys outlive every answer they guard (see ResponseCache.invalidate). */
const MIN_GENERATION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Turns plugin calls into sidecar requests with the caller's verified identity and the
 * plugin's workspace settings, answers GETs from the cache (one upstream call for
 * identical concurrent requests), and maps upstream failures to Connect codes.
 */
export function createPluginForwarder(deps: PluginForwarderDeps) {
  const ttlOf = (entry: CatalogueEntry) => (entry.cacheTtlSeconds !== undefined ? entry.cacheTtlSeconds * 1000 : deps.defaultCacheTtlMs);

  async function send(entry: CatalogueEntry, request: PluginRequest, invocation: Invocation): Promise<ForwardedAnswer> {
    const { caller, signal } = invocation;
    deps.counters.request(entry.id);
    try {
      const settings = invocation.settings ?? (await deps.settings(caller.workspaceId, entry.id));
      const upstream = async (upstreamSignal: AbortSignal) =>
        deps.sidecar.request({
          pluginId: entry.id,
          method: request.method,
          path: request.path,
          query: request.query ?? {},
          headers: request.headers ?? {},
          ...(request.body ? { body: request.body } : {}),
          caller,
          pluginSettings: await settings.payload(),
          signal: upstreamSignal,
          ...(invocation.timeoutMs !== undefined ? { timeoutMs: invocation.timeoutMs } : {}),
          ...(invocation.parentSpan ? { parentSpan: invocation.parentSpan } : {}),
        });
      let answer: ForwardedAnswer;
      if (request.method === "GET") {
        const generations = request.cacheNamespaces?.length ? await deps.cache.generations(request.cacheNamespaces) : [];
        const accept = request.headers?.accept;
        const scope: CacheScope = {
          workspaceId: caller.workspaceId,
          pluginId: entry.id,
          configVersion: settings.version,
          path: request.path,
          query: request.query ?? {},
          ...(accept ? { accept } : {}),
          ...(caller.userId ? { user: { userId: caller.userId, ...(caller.githubToken ? { githubToken: caller.githubToken } : {}) } } : {}),
          generations,
        };
        const ttlMs = request.cacheTtlMs ?? ttlOf(entry);
        // An answer that is never stored needs no store key, only one that joins identical calls in flight.
        const key = ttlMs > 0 ? cacheKey(scope) : uncachedKey(scope);
        answer = await deps.cache.getOrFetch(key, ttlMs, signal, upstream, { refresh: request.refresh ?? false });
      } else {
        answer = { response: await upstream(signal), fromCache: false };
      }
      const { response } = answer;
      if (response.status >= 400) throw upstreamError(entry.id, response.status, response.body, response.headers);
      return answer;
    } catch (error) {
      deps.counters.error(entry.id);
      throw error;
    }
  }

  return {
    /** A client's ProxyPluginRequest / GetPluginData: checked against the forwarding policy first. */
    async forward(entry: CatalogueEntry, call: PluginCall, context: HandlerContext, settings?: PluginSettings): Promise<ForwardedAnswer> {
      const method = forwardMethod(call.httpMethod);
      const path = confineEndpointPath(entry.apiBasePath, call.endpointPath);
      const headers = forwardHeaders(call.headers);
      const query = forwardQuery(call.query);
      const body = forwardBody(method, call.body, deps.maxBodyBytes);
      return send(
        entry,
        { method, path, query, headers, ...(body ? { body } : {}) },
        { ...invocationOf(context), ...(settings ? { settings } : {}) },
      );
    },

    /** A call the gateway built itself (typed RPCs, pollers). */
    send,

    /** Makes the answers cached under a namespace stale for every replica sharing the cache. */
    async invalidate(entry: CatalogueEntry, namespaceKey: string, longestTtlMs = 0): Promise<void> {
      await deps.cache.invalidate(namespaceKey, Math.max(MIN_GENERATION_TTL_MS, ttlOf(entry), longestTtlMs));
    },
  };
}

export type PluginForwarder = ReturnType<typeof createPluginForwarder>;

/**
 * The invocation of a Connect call: its verified identity, deadline, cancellation and
 * span. `asUser: false` leaves the user's GitHub token out (plugins that have no use
 * for it never see it, and their answers are cached per workspace).
 */
export function invocationOf(context: HandlerContext, options: { readonly asUser?: boolean } = {}): Invocation {
  const identity = context.values.get(identityKey);
  if (!identity?.workspaceId) throw new Error("forwarding needs a verified, workspace-scoped identity");
  const githubToken = options.asUser === false ? undefined : context.requestHeader.get(HEADERS.userGitHubToken)?.trim();
  const timeoutMs = context.timeoutMs();
  const parentSpan = context.values.get(rpcSpanKey);
  return {
    caller: {
      workspaceId: identity.workspaceId,
      userId: identity.userId,
      ...(githubToken ? { githubToken } : {}),
      requestId: context.values.get(requestIdKey),
    },
    signal: context.signal,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(parentSpan ? { parentSpan } : {}),
  };
}
