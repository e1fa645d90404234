/**
 * The jira plugin's extension point for Jira's REST paths: a module's handler
 * answers `/rest/...` behind the plugin's workspace isolation; the plugin's own
 * routes stay its own.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import workspaceIsolationPlugin, { workspaceContextServiceFactory } from '@internal/plugin-workspace-isolation-backend';
import { orbitTestServices, randomServiceToken } from '@internal/plugin-workspace-isolation-backend/testUtils';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraRestRoutesExtensionPoint } from './extensions';
import { jiraPlugin } from './plugin';

const restModule = createBackendModule({
  pluginId: 'jira',
  moduleId: 'test-rest',
  register(env) {
    env.registerInit({
      deps: { rest: jiraRestRoutesExtensionPoint },
      async init({ rest }) {
        rest.setRestHandler((req, res) => {
          res.json({ handledBy: 'module', path: req.path, workspace: req.header('x-orbit-workspace-id') });
        });
        expect(() => rest.setRestHandler((_req, _res, next) => next())).toThrow(/one handler/);
      },
    });
  },
});

describe('jira REST routes extension point', () => {
  const token = randomServiceToken();
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        ...orbitTestServices({ token, pluginIds: ['jira', 'workspace-isolation'] }),
        workspaceContextServiceFactory,
        workspaceIsolationPlugin,
        jiraPlugin,
        restModule,
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const get = (path: string, headers: Record<string, string> = { 'x-orbit-workspace-id': 'ws-rest' }) =>
    request(backend.server)
      .get(path)
      .set({ Authorization: `Bearer ${token}`, ...headers });

  it("hands /rest/... to the module's handler, behind workspace isolation", async () => {
    const answer = await get('/api/jira/rest/api/3/search/jql');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ handledBy: 'module', path: '/rest/api/3/search/jql', workspace: 'ws-rest' });
    expect((await get('/api/jira/rest/api/3/search/jql', {})).status).toBe(400); // no workspace: refused before it
    expect((await request(backend.server).get('/api/jira/rest/api/3/search/jql')).status).toBe(401); // no token
  });

  it("keeps the plugin's own routes and 404s the rest", async () => {
    expect((await get('/api/jira/health')).body).toEqual({ status: 'ok' });
    expect((await get('/api/jira/issues?projectKey=OPS')).body).not.toHaveProperty('handledBy');
    expect((await get('/api/jira/restricted')).status).toBe(404);
  });
});
