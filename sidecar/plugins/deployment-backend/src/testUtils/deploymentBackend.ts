/**
 * Test harness (test-only; imports devDependencies): the deployment plugin in
 * a real Backstage test backend with the sidecar's real auth and workspace
 * isolation, talking to the GitHub simulator over HTTP.
 *
 * The plugin's database is Backstage's default in-memory SQLite, or a fresh
 * PostgreSQL database (dropped at `stop()`) when `ORBIT_TEST_POSTGRES_URL`
 * names a server whose user may create databases.
 */
import { randomBytes } from 'node:crypto';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import workspaceIsolationPlugin, { workspaceContextServiceFactory } from '@internal/plugin-workspace-isolation-backend';
import {
  LogCollector,
  orbitTestServices,
  randomServiceToken,
} from '@internal/plugin-workspace-isolation-backend/testUtils';
import knexFactory, { type Knex } from 'knex';
import request from 'supertest';
import { deploymentPlugin } from '../plugin';

/** What one simulated Orbit request carries besides its route. */
export interface CallerOptions {
  workspaceId: string;
  userId?: string;
  /** The user's own GitHub token (`X-Orbit-GitHub-Token`). */
  githubToken?: string;
  /** The workspace's plugin configuration (`X-Orbit-Plugin-Config`); omitted when undefined. */
  settings?: { config: Record<string, string>; secrets: Record<string, string> };
}

export interface DeploymentTestBackend {
  /** Everything the backend logged, to look for leaked secrets. */
  logs: LogCollector;
  /** A supertest agent for one caller: `caller.get('/services')` etc. (paths below /api/deployment). */
  as(caller: CallerOptions): Caller;
  stop(): Promise<void>;
}

export type Caller = {
  [M in 'get' | 'put' | 'post' | 'delete']: (path: string) => request.Test;
};

export async function startDeploymentBackend(
  options: { extraConfig?: Parameters<typeof orbitTestServices>[0]['extraConfig'] } = {},
): Promise<DeploymentTestBackend> {
  const token = randomServiceToken();
  const logs = new LogCollector();
  const postgres = process.env.ORBIT_TEST_POSTGRES_URL
    ? await freshPostgresDatabase(process.env.ORBIT_TEST_POSTGRES_URL)
    : undefined;
  const backend = await startTestBackend({
    features: [
      ...(postgres ? [postgres.serviceFactory] : []),
      ...orbitTestServices({
        token,
        pluginIds: ['deployment', 'workspace-isolation'],
        logs,
        extraConfig: options.extraConfig,
      }),
      workspaceContextServiceFactory,
      workspaceIsolationPlugin,
      deploymentPlugin,
    ],
  }).catch(async error => {
    await postgres?.drop();
    throw error;
  });

  const headers = (caller: CallerOptions): Record<string, string> => ({
    Authorization: `Bearer ${token}`,
    'X-Orbit-Workspace-Id': caller.workspaceId,
    ...(caller.userId ? { 'X-Orbit-User-Id': caller.userId } : {}),
    ...(caller.githubToken ? { 'X-Orbit-GitHub-Token': caller.githubToken } : {}),
    ...(caller.settings ? { 'X-Orbit-Plugin-Config': pluginConfigHeader(caller.settings) } : {}),
  });

  return {
    logs,
    as(caller) {
      const agent = request(backend.server);
      const call = (method: keyof Caller) => (path: string) =>
        agent[method](`/api/deployment${path}`).set(headers(caller));
      return {
        get: call('get'),
        put: call('put'),
        post: call('post'),
        delete: call('delete'),
      };
    },
    async stop() {
      await backend.stop();
      await postgres?.drop();
    },
  };
}

/**
 * The database service with a fresh PostgreSQL database for the deployment
 * plugin; the other plugins (auth keys, …) keep their own in-memory SQLite.
 */
async function freshPostgresDatabase(url: string) {
  const admin = knexFactory({ client: 'pg', connection: url });
  const database = `deployment_plugin_test_${randomBytes(6).toString('hex')}`;
  await admin.raw('CREATE DATABASE ??', [database]);
  const connection = new URL(url);
  connection.pathname = `/${database}`;
  const clients: Knex[] = [];
  const client = (config: Knex.Config) => {
    const knex = knexFactory(config);
    clients.push(knex);
    return knex;
  };
  const serviceFactory = createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory: ({ plugin }) =>
      mockServices.database({
        knex:
          plugin.getId() === 'deployment'
            ? client({ client: 'pg', connection: connection.href })
            : client({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true }),
      }),
  });
  return {
    serviceFactory,
    async drop() {
      for (const knex of clients) await knex.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ??', [database]);
      await admin.destroy();
    },
  };
}

/** `X-Orbit-Plugin-Config` as the gateway sends it: base64url JSON. */
export function pluginConfigHeader(settings: {
  config: Record<string, string>;
  secrets: Record<string, string>;
}): string {
  return Buffer.from(JSON.stringify(settings)).toString('base64url');
}
