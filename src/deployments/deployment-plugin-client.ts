import { Code, ConnectError } from "@connectrpc/connect";
import type { CatalogueEntry } from "../catalogue/catalogue.js";
import type { Invocation, PluginForwarder, PluginRequest } from "../sidecar/plugin-forwarder.js";
import { cacheNamespace } from "../sidecar/response-cache.js";
import { jsonBody, parsePluginJson } from "./mapping.js";
import type * as Api from "./plugin-api.js";
import { deploymentRoutes, queryOf } from "./routes.js";

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

  async function call<T>(request: PluginRequest, invocation: Invocation): Promise<T> {
    const { response } = await forwarder.send(entry, { ...request, path: `${base}${request.path}` }, invocation);
    return parsePluginJson<T>(entry.id, response.body);
  }

  const get = <T>(
    path: string,
    invocation: Invocation,
    cache: { query?: Record<string, string>; namespaces: readonly string[]; ttlMs?: number; refresh?: boolean },
  ) =>
    call<T>(
      {
        method: "GET",
        path,
        headers: { accept: "application/json" },
        ...(cache.query ? { query: cache.query } : {}),
        cacheNamespaces: cache.namespaces,
        ...(cache.ttlMs !== undefined ? { cacheTtlMs: cache.ttlMs } : {}),
        ...(cache.refresh ? { refresh: true } : {}),
      },
      invocation,
    );

  /** A write, then the invalidation of what it makes stale (also when its outcome is unknown). */
  async function write<T>(
    method: "PUT" | "POST" | "DELETE",
    path: string,
    body: unknown,
    invocation: Invocation,
    stale: readonly string[],
  ): Promise<T> {
    const invalidate = () => Promise.all(stale.map((namespace) => forwarder.invalidate(entry, namespace, options.pipelineCacheTtlMs)));
    try {
      const result = await call<T>(
        {
          method,
          path,
          headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: jsonBody(body) }),
        },
        invocation,
      );
      await invalidate();
      return result;
    } catch (error) {
      if (outcomeUnknown(error)) await invalidate();
      throw error;
    }
  }

  return {
    listServices: (invocation: Invocation) =>
      get<Api.ServicesResponse>(deploymentRoutes.services(), invocation, { namespaces: [configNamespace(invocation.caller.workspaceId)] }),

    listEnvironments: (invocation: Invocation, service: string) =>
      get<Api.EnvironmentsResponse>(deploymentRoutes.environments(service), invocation, {
        namespaces: [configNamespace(invocation.caller.workspaceId)],
      }),

    upsertEnvironment: (invocation: Invocation, service: string, environment: string, input: Api.EnvironmentInput) =>
      write<Api.UpsertEnvironmentResult>("PUT", deploymentRoutes.environment(service, environment), input, invocation, [
        configNamespace(invocation.caller.workspaceId),
      ]),

    deleteEnvironment: (invocation: Invocation, service: string, environment: string) =>
      write<Api.DeleteEnvironmentResult>("DELETE", deploymentRoutes.environment(service, environment), undefined, invocation, [
        configNamespace(invocation.caller.workspaceId),
      ]),

    listWorkflows: (invocation: Invocation, repository: string, githubApiUrl: string | undefined) =>
      get<Api.WorkflowsResponse>(deploymentRoutes.workflows(), invocation, {
        query: queryOf({ repository, githubApiUrl }),
        namespaces: [],
      }),

    listVersions: (invocation: Invocation, service: string, filter: { query?: string; sha?: string; environment?: string }) =>
      get<Api.VersionsResponse>(deploymentRoutes.versions(service), invocation, {
        query: queryOf(filter),
        namespaces: [configNamespace(invocation.caller.workspaceId)],
      }),

    trigger: (invocation: Invocation, service: string, environment: string, input: Api.TriggerInput) =>
      write<Api.DeploymentRunResult>("POST", deploymentRoutes.deployments(service, environment), input, invocation, [
        serviceNamespace(invocation.caller.workspaceId, service),
      ]),

    /** `refresh`: read upstream even when a cached pipeline exists (the watch poller). */
    pipeline: (invocation: Invocation, service: string, refresh = false) =>
      get<Api.Pipeline>(deploymentRoutes.pipeline(service), invocation, {
        namespaces: [configNamespace(invocation.caller.workspaceId), serviceNamespace(invocation.caller.workspaceId, service)],
        ttlMs: options.pipelineCacheTtlMs,
        refresh,
      }),

    review: (invocation: Invocation, service: string, environment: string, input: Api.ReviewInput) =>
      write<Api.ReviewResult>("POST", deploymentRoutes.reviews(service, environment), input, invocation, [
        serviceNamespace(invocation.caller.workspaceId, service),
      ]),

    history: (invocation: Invocation, service: string, page: { environment?: string; pageSize?: number; pageToken?: string }) =>
      get<Api.HistoryResponse>(deploymentRoutes.history(service), invocation, {
        query: queryOf(page),
        namespaces: [configNamespace(invocation.caller.workspaceId), serviceNamespace(invocation.caller.workspaceId, service)],
      }),

    rollback: (invocation: Invocation, service: string, environment: string, input: Api.RollbackInput) =>
      write<Api.RollbackResult>("POST", deploymentRoutes.rollbacks(service, environment), input, invocation, [
        serviceNamespace(invocation.caller.workspaceId, service),
      ]),

    pullRequests: (invocation: Invocation, repository: string, state: string | undefined) =>
      get<Api.PullRequestsResponse>(deploymentRoutes.pullRequests(), invocation, {
        query: queryOf({ repository, state }),
        namespaces: [],
      }),
  };
}

export type DeploymentPluginClient = ReturnType<typeof createDeploymentPluginClient>;

/** Failures after which a write may or may not have been applied upstream. */
function outcomeUnknown(error: unknown): boolean {
  const { code } = ConnectError.from(error);
  return code === Code.Unavailable || code === Code.DeadlineExceeded || code === Code.Canceled || code === Code.Internal || code === Code.Unknown;
}
