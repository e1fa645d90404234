import type { HandlerContext } from "@connectrpc/connect";
import type { CatalogueEntry } from "../catalogue/catalogue.js";
import { identityKey, requestIdKey, rpcSpanKey } from "../lib/context-keys.js";
import { confineEndpointPath } from "./endpoint-path.js";
import { forwardBody, forwardHeaders, forwardMethod, forwardQuery } from "./forward-policy.js";
import type { PluginCounters } from "./plugin-counters.js";
import { cacheKey } from "./response-cache.js";
import type { ResponseCache } from "./response-cache.js";
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
}

/** The header through which Orbit passes the acting user's own GitHub OAuth token. */
export const USER_GITHUB_TOKEN_HEADER = "x-github-token";

/**
 * Turns a client's plugin call into a confined, allow-listed sidecar request with the
 * caller's verified identity, answers GETs from the cache (one upstream call for
 * identical concurrent requests), and maps upstream failures to Connect codes.
 */
export function createPluginForwarder(deps: PluginForwarderDeps) {
  return {
    async forward(entry: CatalogueEntry, call: PluginCall, context: HandlerContext): Promise<ForwardedAnswer> {
      const method = forwardMethod(call.httpMethod);
      const path = confineEndpointPath(entry.apiBasePath, call.endpointPath);
      const headers = forwardHeaders(call.headers);
      const query = forwardQuery(call.query);
      const body = forwardBody(method, call.body, deps.maxBodyBytes);
      const caller = callerOf(context);
      const timeoutMs = context.timeoutMs();
      const send = (signal: AbortSignal) =>
        deps.sidecar.request({
          pluginId: entry.id,
          method,
          path,
          query,
          headers,
          ...(body ? { body } : {}),
          caller,
          signal,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          parentSpan: context.values.get(rpcSpanKey),
        });

      deps.counters.request(entry.id);
      try {
        const answer =
          method === "GET"
            ? await deps.cache.getOrFetch(
                cacheKey({
                  workspaceId: caller.workspaceId,
                  pluginId: entry.id,
                  path,
                  query,
                  ...(headers.accept ? { accept: headers.accept } : {}),
                  ...(caller.githubToken ? { user: { userId: caller.userId, githubToken: caller.githubToken } } : {}),
                }),
                entry.cacheTtlSeconds !== undefined ? entry.cacheTtlSeconds * 1000 : deps.defaultCacheTtlMs,
                context.signal,
                send,
              )
            : { response: await send(context.signal), fromCache: false };
        if (answer.response.status >= 400) throw upstreamError(entry.id, answer.response.status, answer.response.body);
        return answer;
      } catch (error) {
        deps.counters.error(entry.id);
        throw error;
      }
    },
  };
}

export type PluginForwarder = ReturnType<typeof createPluginForwarder>;

function callerOf(context: HandlerContext): SidecarCaller {
  const identity = context.values.get(identityKey);
  if (!identity?.workspaceId) throw new Error("forwarding needs a verified, workspace-scoped identity");
  const githubToken = context.requestHeader.get(USER_GITHUB_TOKEN_HEADER)?.trim();
  return {
    workspaceId: identity.workspaceId,
    userId: identity.userId,
    ...(githubToken ? { githubToken } : {}),
    requestId: context.values.get(requestIdKey),
  };
}
