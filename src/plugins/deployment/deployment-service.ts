import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { NO_USER } from "../../auth/identity.js";
import type { Catalogue } from "../../catalogue/catalogue.js";
import { type DeploymentService, ReviewDecision } from "../../gen/idp/plugins/v1/deployments_pb.js";
import { errors } from "../../lib/errors.js";
import { memoByIdentity } from "../../lib/identity-memo.js";
import type { Logger } from "../../lib/logger.js";
import type { GatewayMetrics } from "../../metrics/metrics.js";
import { invocationOf } from "../../sidecar/plugin-forwarder.js";
import type { PluginForwarder } from "../../sidecar/plugin-forwarder.js";
import type { PluginSettingsSource } from "../../sidecar/plugin-settings.js";
import { optionalApiUrl, optionalPositiveId, optionalText, requirePositiveId } from "../field-checks.js";
import { MAX_INPUT_VALUE, MAX_LABEL, MAX_PAGE_TOKEN, MAX_VERSION_QUERY } from "./contract.js";
import {
  environmentInputOf,
  reviewDecisionOf,
  toEnvironment,
  toPipeline,
  toRecord,
  toRun,
  toService,
  toVersion,
  toWorkflow,
} from "./mapping.js";
import { createPipelineWatchHub } from "./pipeline-watch-hub.js";
import type { PipelineWatchHub } from "./pipeline-watch-hub.js";
import { createDeploymentPluginClient } from "./plugin-client.js";
import type { DeploymentPluginClient } from "./plugin-client.js";
import {
  optionalEnvironmentInput,
  optionalInputName,
  optionalName,
  optionalRef,
  optionalSha,
  pageSizeOf,
  requireName,
  requireRepository,
  requireVersion,
  requireWorkflow,
  workflowInputsOf,
} from "./validation.js";

/** The catalogue id of the plugin that answers DeploymentService. */
export const DEPLOYMENT_PLUGIN_ID = "deployment";

export interface DeploymentsDeps {
  readonly catalogue: Catalogue;
  /** Absent when no sidecar is configured: calls then answer UNAVAILABLE. */
  readonly forwarder: PluginForwarder | undefined;
  readonly settings: PluginSettingsSource;
  readonly pipelineCacheTtlMs: number;
  readonly pipelineWatchIntervalMs: number;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Aborted when the gateway starts draining: open watches end with UNAVAILABLE, which clients retry elsewhere. */
  readonly drainSignal: AbortSignal;
}

export interface Deployments {
  readonly service: ServiceImpl<typeof DeploymentService>;
  /** Stops the pipeline pollers (gateway shutdown). */
  close(): void;
}

/**
 * idp.plugins.v1.DeploymentService and the pipeline watch hub behind WatchPipeline.
 * The hub's pollers read as the workspace (its shared credential, no user token), so
 * `current_user_can_approve` is always false in streamed pipelines; GetPipeline with
 * the user's token tells it.
 */
export function createDeployments(deps: DeploymentsDeps): Deployments {
  const entry = deps.catalogue.get(DEPLOYMENT_PLUGIN_ID);
  const client =
    entry && deps.forwarder
      ? createDeploymentPluginClient(deps.forwarder, entry, { pipelineCacheTtlMs: deps.pipelineCacheTtlMs })
      : undefined;
  const watchHub = client
    ? createPipelineWatchHub({
        intervalMs: deps.pipelineWatchIntervalMs,
        read: async ({ workspaceId, service }, signal, { fresh }) => {
          const { body, fromCache } = await client.pipelineAnswer({ caller: { workspaceId, userId: NO_USER }, signal }, service, fresh);
          return { pipeline: body, fromCache };
        },
        metrics: { pollers: deps.metrics.pipelinePollers, watchers: deps.metrics.pipelineWatchers, polls: deps.metrics.pipelinePolls },
        logger: deps.logger,
      })
    : undefined;
  return {
    service: createDeploymentService({ ...deps, client, watchHub }),
    close: () => watchHub?.close(),
  };
}

interface DeploymentServiceDeps {
  readonly catalogue: Catalogue;
  readonly client: DeploymentPluginClient | undefined;
  readonly settings: PluginSettingsSource;
  readonly watchHub: PipelineWatchHub | undefined;
  readonly drainSignal: AbortSignal;
}

/**
 * Validates each request, forwards it to the deployment plugin as the calling user
 * (their own GitHub token when Orbit sends one) and maps the answer. The gate has
 * already checked the token, the workspace and, for environment writes, admin
 * rights; the plugin must be enabled in the workspace (FAILED_PRECONDITION otherwise).
 */
function createDeploymentService(deps: DeploymentServiceDeps): ServiceImpl<typeof DeploymentService> {
  /** A cached pipeline (the same parsed answer on every hit) is mapped to its message once. */
  const pipelineMessage = memoByIdentity(toPipeline);
  /** The plugin's client; a disabled plugin is FAILED_PRECONDITION before a missing sidecar is UNAVAILABLE, as in PluginsService. */
  const pluginClient = async (workspaceId: string): Promise<DeploymentPluginClient> => {
    if (!deps.catalogue.get(DEPLOYMENT_PLUGIN_ID)) throw errors.pluginNotFound(DEPLOYMENT_PLUGIN_ID);
    if (!deps.client) {
      await deps.settings(workspaceId, DEPLOYMENT_PLUGIN_ID);
      throw errors.noSidecar();
    }
    return deps.client;
  };
  const as = (context: HandlerContext) => invocationOf(context);
  /** After a deployment write, this replica's watchers see the change without waiting for the next tick. */
  const nudgeWatchers = (workspaceId: string, service: string) => deps.watchHub?.nudge({ workspaceId, service });

  return {
    async listServices(request, context) {
      const plugin = await pluginClient(request.workspaceId);
      const { services } = await plugin.listServices(as(context));
      return { services: (services ?? []).map(toService) };
    },

    async listEnvironments(request, context) {
      const service = requireName("service", request.service);
      const plugin = await pluginClient(request.workspaceId);
      const { environments } = await plugin.listEnvironments(as(context), service);
      return { environments: (environments ?? []).map(toEnvironment) };
    },

    async upsertEnvironment(request, context) {
      const environment = request.environment;
      if (!environment) throw errors.missingField("environment");
      const service = requireName("environment.service", environment.service);
      const name = requireName("environment.name", environment.name);
      requireRepository("environment.repository", environment.repository);
      requireWorkflow("environment.workflow", environment.workflow);
      optionalText("environment.job", environment.job, MAX_LABEL);
      optionalText("environment.github_environment", environment.githubEnvironment, MAX_LABEL);
      optionalRef("environment.ref", environment.ref);
      optionalInputName("environment.version_input", environment.versionInput);
      optionalEnvironmentInput("environment.environment_input", environment.environmentInput);
      optionalApiUrl("environment.github_api_url", environment.githubApiUrl);
      const plugin = await pluginClient(request.workspaceId);
      const result = await plugin.upsertEnvironment(as(context), service, name, environmentInputOf(environment));
      return { environment: toEnvironment(result.environment), created: result.created === true };
    },

    async deleteEnvironment(request, context) {
      const service = requireName("service", request.service);
      const environment = requireName("environment", request.environment);
      const plugin = await pluginClient(request.workspaceId);
      const result = await plugin.deleteEnvironment(as(context), service, environment);
      return { deleted: result.deleted === true };
    },

    async listWorkflows(request, context) {
      const repository = requireRepository("repository", request.repository);
      const githubApiUrl = optionalApiUrl("github_api_url", request.githubApiUrl);
      const plugin = await pluginClient(request.workspaceId);
      const { workflows } = await plugin.listWorkflows(as(context), repository, githubApiUrl);
      return { workflows: (workflows ?? []).map(toWorkflow) };
    },

    async listVersions(request, context) {
      const service = requireName("service", request.service);
      const filter = {
        query: optionalText("query", request.query, MAX_VERSION_QUERY),
        sha: optionalSha("sha", request.sha),
        environment: optionalName("environment", request.environment),
      };
      const plugin = await pluginClient(request.workspaceId);
      const { versions } = await plugin.listVersions(as(context), service, filter);
      return { versions: (versions ?? []).map(toVersion) };
    },

    async triggerDeployment(request, context) {
      const service = requireName("service", request.service);
      const environment = requireName("environment", request.environment);
      const version = requireVersion("version", request.version);
      const inputs = workflowInputsOf("inputs", request.inputs);
      const plugin = await pluginClient(request.workspaceId);
      const { run } = await plugin.trigger(as(context), service, environment, { version, ...(inputs ? { inputs } : {}) });
      nudgeWatchers(request.workspaceId, service);
      return { run: toRun(run) };
    },

    async getPipeline(request, context) {
      const service = requireName("service", request.service);
      const plugin = await pluginClient(request.workspaceId);
      return { pipeline: pipelineMessage(await plugin.pipeline(as(context), service)) };
    },

    async *watchPipeline(request, context) {
      const service = requireName("service", request.service);
      await pluginClient(request.workspaceId);
      if (!deps.watchHub) throw errors.noSidecar();
      // Checked at once, so a watcher of a disabled plugin is told before any poll.
      await deps.settings(request.workspaceId, DEPLOYMENT_PLUGIN_ID);
      const stop = AbortSignal.any([context.signal, deps.drainSignal]);
      for await (const pipeline of deps.watchHub.watch({ workspaceId: request.workspaceId, service }, stop)) {
        yield { pipeline: pipelineMessage(pipeline) };
      }
      if (!context.signal.aborted) throw errors.shuttingDown();
    },

    async reviewDeployment(request, context) {
      const service = requireName("service", request.service);
      const environment = requireName("environment", request.environment);
      const runId = requirePositiveId("run_id", request.runId);
      const decision = reviewDecisionOf(request.decision);
      if (request.decision === ReviewDecision.UNSPECIFIED || !decision) {
        throw errors.invalidField("decision", "must be REVIEW_DECISION_APPROVE or REVIEW_DECISION_REJECT");
      }
      // Comments may span lines; GitHub bounds their length only.
      if (request.comment.length > MAX_INPUT_VALUE) throw errors.invalidField("comment", `must have at most ${MAX_INPUT_VALUE} characters`);
      const comment = request.comment;
      const plugin = await pluginClient(request.workspaceId);
      const result = await plugin.review(as(context), service, environment, { runId: Number(runId), decision, comment });
      nudgeWatchers(request.workspaceId, service);
      return { run: toRun(result.run), githubEnvironments: result.githubEnvironments ?? [] };
    },

    async listDeploymentHistory(request, context) {
      const service = requireName("service", request.service);
      const page = {
        environment: optionalName("environment", request.environment),
        pageSize: pageSizeOf("page_size", request.pageSize),
        pageToken: optionalText("page_token", request.pageToken, MAX_PAGE_TOKEN),
      };
      const plugin = await pluginClient(request.workspaceId);
      const result = await plugin.history(as(context), service, page);
      return { deployments: (result.deployments ?? []).map(toRecord), nextPageToken: result.nextPageToken ?? "" };
    },

    async rollbackDeployment(request, context) {
      const service = requireName("service", request.service);
      const environment = requireName("environment", request.environment);
      const toRunId = optionalPositiveId("to_run_id", request.toRunId);
      const plugin = await pluginClient(request.workspaceId);
      const result = await plugin.rollback(as(context), service, environment, toRunId === undefined ? {} : { toRunId: Number(toRunId) });
      nudgeWatchers(request.workspaceId, service);
      return { run: toRun(result.run), version: result.version ?? "", rollbackOfRunId: BigInt(result.rollbackOfRunId ?? 0) };
    },
  };
}
