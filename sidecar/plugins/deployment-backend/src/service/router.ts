import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  type DeploymentResponses,
  type DeploymentRouteName,
  deploymentRoutes,
} from '@internal/plugin-deployment-common';
import type { WorkspaceContextService } from '@internal/plugin-workspace-isolation-node';
import type express from 'express';
import Router from 'express-promise-router';
import type { DeploymentStore } from '../database/DeploymentStore';
import { normalizeBaseUrl } from '../github/credentials';
import type { DeploymentProvider } from '../provider/DeploymentProvider';
import type { AccessResolver } from './access';
import { type DeploymentDeps, requireEnvironment } from './deps';
import { rollbackDeployment, startDeployment } from './dispatch';
import { checkEnvironmentAgainstGitHub } from './environments';
import { gitHubErrorHandler } from './errorHandler';
import { jsonBody } from './jsonBody';
import { DEFAULT_PAGE_SIZE, listHistory } from './history';
import { buildPipeline } from './pipeline';
import { reviewDeployment } from './review';
import {
  environmentInputSchema,
  historyQuerySchema,
  parseInput,
  parseName,
  pullRequestsQuerySchema,
  reviewInputSchema,
  rollbackInputSchema,
  triggerInputSchema,
  versionsQuerySchema,
  workflowsQuerySchema,
} from './validation';
import { findVersions } from './versions';

export interface RouterOptions {
  logger: LoggerService;
  workspaceContext: WorkspaceContextService;
  store: DeploymentStore;
  provider: DeploymentProvider;
  access: AccessResolver;
  /** Clock of `updatedAt`, `createdAt` and `observedAt`; default `new Date()`. */
  now?: () => Date;
}

/** The commits a version picker offers (GitHub's last 50). */
const VERSION_COMMITS = 50;

/**
 * Routes of the deployment plugin, served under `/api/deployment`; the
 * contract is `@internal/plugin-deployment-common`'s `api.ts`.
 *
 * By the time a request gets here Backstage has checked the service token and
 * the workspace isolation middleware has validated the X-Orbit-* headers. The
 * workspace comes only from `workspaceContext.fromRequest(req)`, never from a
 * path or body, and every store call is scoped by it. Errors thrown here
 * become Backstage's JSON error responses (InputError 400, NotFoundError 404,
 * ConflictError 409, …); `gitHubErrorHandler` adds 429 and 412.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { workspaceContext, store, provider } = options;
  const deps: DeploymentDeps = {
    store,
    provider,
    access: options.access,
    now: options.now ?? (() => new Date()),
  };

  const router = Router();
  router.use(...jsonBody());

  /** Registers one route of the contract; the handler's answer is that route's 200 body. */
  const route = <K extends DeploymentRouteName>(
    name: K,
    handler: (req: express.Request) => Promise<DeploymentResponses[K]> | DeploymentResponses[K],
  ) => {
    const { method, path } = deploymentRoutes[name];
    const verb = method.toLowerCase() as 'get' | 'put' | 'post' | 'delete';
    router[verb](path, async (req, res) => {
      res.json(await handler(req));
    });
  };

  route('health', () => ({ status: 'ok' }));

  // ----------------------------------------------------------- environments

  route('listServices', async req => {
    const { workspaceId } = await workspaceContext.fromRequest(req);
    return { services: await store.listServices(workspaceId) };
  });

  route('listEnvironments', async req => {
    const { workspaceId } = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    return { environments: await store.listEnvironments(workspaceId, service) };
  });

  route('upsertEnvironment', async req => {
    const context = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    const name = parseName(req.params.environment, 'environment');
    const input = parseInput(environmentInputSchema, req.body, 'environment');
    const environment = {
      service,
      name,
      order: input.order,
      repository: input.repository,
      workflow: input.workflow,
      job: input.job ?? null,
      githubEnvironment: input.githubEnvironment ?? null,
      ref: input.ref ?? 'main',
      versionInput: input.versionInput ?? 'version',
      environmentInput: input.environmentInput ?? 'environment',
      githubApiUrl: input.githubApiUrl ? normalizeBaseUrl(input.githubApiUrl) : null,
      updatedAt: deps.now(),
      updatedBy: context.userId,
    };
    const access = await deps.access(context, 'read', environment.githubApiUrl);
    await checkEnvironmentAgainstGitHub(provider, access, environment);
    return store.upsertEnvironment(context.workspaceId, environment);
  });

  route('deleteEnvironment', async req => {
    const { workspaceId } = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    const name = parseName(req.params.environment, 'environment');
    return { deleted: await store.deleteEnvironment(workspaceId, service, name) };
  });

  route('listWorkflows', async req => {
    const context = await workspaceContext.fromRequest(req);
    const query = parseInput(workflowsQuerySchema, req.query, 'query');
    const access = await deps.access(context, 'read', query.githubApiUrl);
    const workflows = await provider.listWorkflows(access, query.repository);
    return {
      workflows: workflows.map(workflow => ({
        id: workflow.id,
        name: workflow.name,
        path: workflow.path,
        state: workflow.state,
        acceptsDispatch: workflow.acceptsDispatch,
        inputs: [...workflow.inputs],
        htmlUrl: workflow.htmlUrl,
      })),
    };
  });

  // ------------------------------------------------------------ deployments

  route('listVersions', async req => {
    const context = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    const query = parseInput(versionsQuerySchema, req.query, 'query');
    return {
      versions: await findVersions(deps, context, service, { ...query, limit: VERSION_COMMITS }),
    };
  });

  route('trigger', async req => {
    const context = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    const name = parseName(req.params.environment, 'environment');
    const input = parseInput(triggerInputSchema, req.body, 'deployment');
    const environment = await requireEnvironment(store, context.workspaceId, service, name);
    const { result } = await startDeployment(deps, context, environment, input.version, {
      inputs: input.inputs,
    });
    return result;
  });

  route('pipeline', async req => {
    const context = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    return buildPipeline(deps, context, service);
  });

  route('review', async req => {
    const context = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    const name = parseName(req.params.environment, 'environment');
    const input = parseInput(reviewInputSchema, req.body, 'review');
    const environment = await requireEnvironment(store, context.workspaceId, service, name);
    return reviewDeployment(deps, context, environment, input);
  });

  route('history', async req => {
    const context = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    const query = parseInput(historyQuerySchema, req.query, 'query');
    return listHistory(deps, context, service, {
      environment: query.environment,
      pageSize: query.pageSize ? Number(query.pageSize) : DEFAULT_PAGE_SIZE,
      pageToken: query.pageToken,
    });
  });

  route('rollback', async req => {
    const context = await workspaceContext.fromRequest(req);
    const service = parseName(req.params.service, 'service');
    const name = parseName(req.params.environment, 'environment');
    const input = parseInput(rollbackInputSchema, req.body ?? {}, 'rollback');
    const environment = await requireEnvironment(store, context.workspaceId, service, name);
    return rollbackDeployment(deps, context, environment, input.toRunId);
  });

  route('pullRequests', async req => {
    const context = await workspaceContext.fromRequest(req);
    const query = parseInput(pullRequestsQuerySchema, req.query, 'query');
    const access = await deps.access(context, 'read');
    const pulls = await provider.listPullRequests(access, query.repository, query.state ?? 'open');
    return {
      pullRequests: pulls.map(pull => ({
        number: pull.number,
        title: pull.title,
        state: pull.state,
        author: pull.author,
        createdAt: pull.createdAt,
        url: pull.url,
      })),
    };
  });

  router.use(gitHubErrorHandler());
  return router;
}
