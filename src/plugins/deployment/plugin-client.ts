import { Code, ConnectError } from "@connectrpc/connect";
import type { CatalogueEntry } from "../../catalogue/catalogue.js";
import type { Invocation, PluginForwarder, PluginRequest } from "../../sidecar/plugin-forwarder.js";
import { cacheNamespace } from "../../sidecar/response-cache.js";
import { jsonBody, parsePluginJson } from "../plugin-json.js";
import { pathOf, queryOf } from "../plugin-route.js";
import type { PathParams } from "../plugin-route.js";
import { deploymentRoutes } from "./contract.js";
import type { DeploymentBodies, DeploymentResponses, DeploymentRouteName } from "./contract.js";

type Routes = typeof deploymentRoutes;
/** The routes the client reads (GET) and writes. */
type ReadRoute = { [K in DeploymentRouteName]: Routes[K]["method"] extends "GET" ? K : never }[DeploymentRouteName];
type WriteRoute = Exclude<DeploymentRouteName, ReadRoute>;
type ParamsOf<K extends DeploymentRouteName> = PathParams<Routes[K]["path"]>;
type BodyOf<K extends WriteRoute> = K extends keyof DeploymentBodies ? DeploymentBodies[K] : undefined;

export interface DeploymentPluginClientOptions {
  /** GetPipeline answers are reused this long (short: runs move). */
  readonly pipelineCacheTtlMs: number;
}

/**
 * The deployment plugin's routes as typed calls through the forwarder (identity
 * headers, workspace settings, deadline, circuit breaker, error mapping).
 *
 * Caching: GETs go through the response cache (per workspace, and per user when the
 * user's GitHub token is used) with the plugin's TTL; the pipeline with the short
 * pipeline TTL. Writes are never cached, and make answers stale by namespace (the
 * cache's generations, shared by every replica through Redis):
 * - environment writes (upsert, delete) → everything the workspace's deployment
 *   configuration shapes: services, environments, versions, pipelines, histories;
 * - deployments (trigger, review, rollback) → that service's pipeline and history.
 * A write whose outcome is unknown (timeout, sidecar unavailable) invalidates too:
 * it may have happened.
 */
export function createDeploymentPluginClient(forwarder: PluginForwarder, entry: CatalogueEntry, options: DeploymentPluginClientOptions) {
  const base = entry.apiBasePath;
  const configNamespace = (workspaceId: string) => cacheNamespace(workspaceId, entry.id, "environments");
  const serviceNamespace = (workspaceId: string, service: string) => cacheNamespace(workspaceId, entry.id, "service", service);

  /** A route's answer, and whether it came from the cache. */
  async function answer<K extends DeploymentRouteName>(
    name: K,
    request: Omit<PluginRequest, "method" | "path">,
    params: ParamsOf<K>,
    invocation: Invocation,
  ) {
    const route = deploymentRoutes[name];
    const path = `${base}${pathOf<string>(route.path, params)}`;
    const { response, fromCache } = await forwarder.send(entry, { ...request, method: route.method, path }, invocation);
    return { body: parsePluginJson<DeploymentResponses[K]>(entry.id, response.body), fromCache };
  }

  async function call<K extends DeploymentRouteName>(
    name: K,
    request: Omit<PluginRequest, "method" | "path">,
    params: ParamsOf<K>,
    invocation: Invocation,
  ) {
    return (await answer(name, request, params, invocation)).body;
  }

  const getAnswer = <K extends ReadRoute>(
    name: K,
    params: ParamsOf<K>,
    invocation: Invocation,
    cache: { query?: Record<string, string>; namespaces: readonly string[]; ttlMs?: number; refresh?: boolean },
  ) =>
    answer(
      name,
      {
        headers: { accept: "application/json" },
        ...(cache.query ? { query: cache.query } : {}),
        cacheNamespaces: cache.namespaces,
        ...(cache.ttlMs !== undefined ? { cacheTtlMs: cache.ttlMs } : {}),
        ...(cache.refresh ? { refresh: true } : {}),
      },
      params,
      invocation,
    );
  const get = async <K extends ReadRoute>(...args: Parameters<typeof getAnswer<K>>) => (await getAnswer(...args)).body;

  /** A write, then the invalidation of what it makes stale (also when its outcome is unknown). */
  async function write<K extends WriteRoute>(
    name: K,
    params: ParamsOf<K>,
    body: BodyOf<K>,
    invocation: Invocation,
    stale: readonly string[],
  ): Promise<DeploymentResponses[K]> {
    const invalidate = () => Promise.all(stale.map((namespace) => forwarder.invalidate(entry, namespace, options.pipelineCacheTtlMs)));
    try {
      const result = await call(
        name,
        {
          headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: jsonBody(body) }),
        },
        params,
        invocation,
      );
      await invalidate();
      return result;
    } catch (error) {
      if (outcomeUnknown(error)) await invalidate();
      throw error;
    }
  }

  const pipelineAnswer = (invocation: Invocation, service: string, refresh: boolean) =>
    getAnswer("pipeline", { service }, invocation, {
      namespaces: [...config(invocation), ...ofService(invocation, service)],
      ttlMs: options.pipelineCacheTtlMs,
      refresh,
    });

  const config = (invocation: Invocation) => [configNamespace(invocation.caller.workspaceId)];
  const ofService = (invocation: Invocation, service: string) => [serviceNamespace(invocation.caller.workspaceId, service)];

  return {
    listServices: (invocation: Invocation) => get("listServices", {}, invocation, { namespaces: config(invocation) }),

    listEnvironments: (invocation: Invocation, service: string) =>
      get("listEnvironments", { service }, invocation, { namespaces: config(invocation) }),

    upsertEnvironment: (invocation: Invocation, service: string, environment: string, input: DeploymentBodies["upsertEnvironment"]) =>
      write("upsertEnvironment", { service, environment }, input, invocation, config(invocation)),

    deleteEnvironment: (invocation: Invocation, service: string, environment: string) =>
      write("deleteEnvironment", { service, environment }, undefined, invocation, config(invocation)),

    listWorkflows: (invocation: Invocation, repository: string, githubApiUrl: string | undefined) =>
      get("listWorkflows", {}, invocation, { query: queryOf({ repository, githubApiUrl }), namespaces: [] }),

    listVersions: (invocation: Invocation, service: string, filter: { query?: string; sha?: string; environment?: string }) =>
      get("listVersions", { service }, invocation, { query: queryOf(filter), namespaces: config(invocation) }),

    trigger: (invocation: Invocation, service: string, environment: string, input: DeploymentBodies["trigger"]) =>
      write("trigger", { service, environment }, input, invocation, ofService(invocation, service)),

    /** `refresh`: read upstream even when a cached pipeline exists (the watch poller). */
    pipeline: async (invocation: Invocation, service: string, refresh = false) => (await pipelineAnswer(invocation, service, refresh)).body,

    /** The pipeline and whether it came from the cache (the watch poller's first read may). */
    pipelineAnswer: (invocation: Invocation, service: string, refresh: boolean) => pipelineAnswer(invocation, service, refresh),

    review: (invocation: Invocation, service: string, environment: string, input: DeploymentBodies["review"]) =>
      write("review", { service, environment }, input, invocation, ofService(invocation, service)),

    history: (invocation: Invocation, service: string, page: { environment?: string; pageSize?: number; pageToken?: string }) =>
      get("history", { service }, invocation, {
        query: queryOf(page),
        namespaces: [...config(invocation), ...ofService(invocation, service)],
      }),

    rollback: (invocation: Invocation, service: string, environment: string, input: DeploymentBodies["rollback"]) =>
      write("rollback", { service, environment }, input, invocation, ofService(invocation, service)),
  };
}

export type DeploymentPluginClient = ReturnType<typeof createDeploymentPluginClient>;

/** Failures after which a write may or may not have been applied upstream. */
function outcomeUnknown(error: unknown): boolean {
  const { code } = ConnectError.from(error);
  return (
    code === Code.Unavailable || code === Code.DeadlineExceeded || code === Code.Canceled || code === Code.Internal || code === Code.Unknown
  );
}
