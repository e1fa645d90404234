import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import { workspaceContextServiceRef } from '@internal/plugin-workspace-isolation-node';
import Router from 'express-promise-router';
import request from 'supertest';
import workspaceIsolationPlugin from '../index';
import { type CapturedLog, LogCollector, orbitTestServices, randomServiceToken } from '../testUtils';
import { workspaceContextServiceFactory } from './workspaceContextServiceFactory';

/** A minimal workspace-scoped plugin that reports what the isolation layer gave it. */
const probePlugin = createBackendPlugin({
  pluginId: 'probe',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        workspaceContext: workspaceContextServiceRef,
      },
      async init({ httpRouter, workspaceContext }) {
        const router = Router();
        router.get('/context', async (req, res) => {
          const context = await workspaceContext.fromRequest(req);
          res.json({
            serialised: JSON.parse(JSON.stringify(context)),
            hasGitHubToken: context.githubToken !== undefined,
            githubTokenLength: context.githubToken?.length ?? null,
            rawGitHubTokenHeaderVisible: 'x-orbit-github-token' in req.headers,
          });
        });
        httpRouter.use(router);
      },
    });
  },
});

/** A plugin NOT depending on the workspace context, to show isolation is opt-in per plugin. */
const plainPlugin = createBackendPlugin({
  pluginId: 'plain',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        const router = Router();
        router.get('/ping', (_req, res) => {
          res.json({ pong: true });
        });
        httpRouter.use(router);
      },
    });
  },
});

describe('workspace isolation middleware', () => {
  const token = randomServiceToken();
  const githubToken = `ghp_${randomServiceToken()}`;
  const logs = new LogCollector();
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  const auth = { Authorization: `Bearer ${token}` };

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        ...orbitTestServices({
          token,
          pluginIds: ['probe', 'plain', 'workspace-isolation'],
          logs,
        }),
        workspaceContextServiceFactory,
        workspaceIsolationPlugin,
        probePlugin,
        plainPlugin,
      ],
    });
    server = backend.server;
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const counts = async () => {
    const res = await request(server).get('/.orbit/requests').set(auth);
    expect(res.status).toBe(200);
    return res.body as { total: number; byPath: Record<string, number> };
  };

  it('rejects requests without the service token (401) before isolation', async () => {
    const before = await counts();
    const res = await request(server).get('/api/probe/context').set('X-Orbit-Workspace-Id', 'ws1');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ name: 'AuthenticationError' });
    // Backstage's credentials barrier answers before the isolation layer.
    expect((await counts()).total).toBe(before.total);
  });

  it('rejects a wrong service token (401)', async () => {
    const res = await request(server)
      .get('/api/probe/context')
      .set('Authorization', 'Bearer not-the-token')
      .set('X-Orbit-Workspace-Id', 'ws1');
    expect(res.status).toBe(401);
  });

  it('rejects a missing workspace header with 400 JSON', async () => {
    const res = await request(server).get('/api/probe/context').set(auth);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error).toEqual(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringMatching(/Missing X-Orbit-Workspace-Id/),
      }),
    );
  });

  it.each(['', 'ws 1', 'ws/1', '-ws', 'ws1,ws2', 'a'.repeat(129)])(
    'rejects the malformed workspace id %j with 400 JSON',
    async workspaceId => {
      const res = await request(server).get('/api/probe/context').set(auth).set('X-Orbit-Workspace-Id', workspaceId);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    },
  );

  it('rejects a malformed user id with 400', async () => {
    const res = await request(server)
      .get('/api/probe/context')
      .set(auth)
      .set('X-Orbit-Workspace-Id', 'ws1')
      .set('X-Orbit-User-Id', 'no spaces allowed');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/X-Orbit-User-Id/);
  });

  it('guards every route of the plugin, including unknown ones', async () => {
    const res = await request(server).get('/api/probe/does-not-exist').set(auth);
    expect(res.status).toBe(400);
  });

  it('gives the plugin the validated context and hides the GitHub token', async () => {
    const res = await request(server)
      .get('/api/probe/context')
      .set(auth)
      .set('X-Orbit-Workspace-Id', 'ws-42')
      .set('X-Orbit-User-Id', 'user:7')
      .set('X-Orbit-GitHub-Token', githubToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      serialised: { workspaceId: 'ws-42', userId: 'user:7' },
      hasGitHubToken: true,
      githubTokenLength: githubToken.length,
      rawGitHubTokenHeaderVisible: false,
    });
    expect(res.text).not.toContain(githubToken);
  });

  it('reports userId null and no GitHub token when absent', async () => {
    const res = await request(server).get('/api/probe/context').set(auth).set('X-Orbit-Workspace-Id', 'ws-42');
    expect(res.status).toBe(200);
    expect(res.body.serialised).toEqual({ workspaceId: 'ws-42', userId: null });
    expect(res.body.hasGitHubToken).toBe(false);
  });

  it('does not affect plugins that do not use the workspace context', async () => {
    const res = await request(server).get('/api/plain/ping').set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pong: true });
  });

  it('counts every request that reaches an isolated plugin, accepted or not', async () => {
    const before = await counts();
    await request(server).get('/api/probe/context').set(auth).expect(400);
    await request(server).get('/api/probe/context?x=1').set(auth).set('X-Orbit-Workspace-Id', 'ws1').expect(200);
    await request(server).get('/api/plain/ping').set(auth).expect(200);
    const after = await counts();
    expect(after.total - before.total).toBe(2);
    expect((after.byPath['/api/probe/context'] ?? 0) - (before.byPath['/api/probe/context'] ?? 0)).toBe(2);
    expect(after.byPath['/api/plain/ping']).toBeUndefined();
  });

  it('protects the counter with the service token', async () => {
    const res = await request(server).get('/.orbit/requests');
    expect(res.status).toBe(401);
    expect(res.body.error.name).toBe('AuthenticationError');
  });

  it('logs one structured line per request, without secrets', async () => {
    const first = logs.entries.length;
    await request(server)
      .get('/api/probe/context?secret=query')
      .set(auth)
      .set('X-Orbit-Workspace-Id', 'ws-log')
      .set('X-Orbit-User-Id', 'user-log')
      .set('X-Orbit-GitHub-Token', githubToken)
      .expect(200);
    await request(server)
      .get('/api/probe/context')
      .set(auth)
      .set('X-Orbit-Workspace-Id', 'bad id')
      .set('X-Orbit-GitHub-Token', githubToken)
      .expect(400);
    // The isolation layer logs when the response is closed. By the time the
    // client has read the response, the server has finished it, so the lines
    // are already there; the counter request below is only one more round trip.
    await counts();

    const lines = logs.entries.slice(first).filter(e => e.meta.type === 'pluginRequest');
    expect(lines).toHaveLength(2);
    const [accepted, rejected] = lines as [CapturedLog, CapturedLog];
    expect(accepted.meta).toEqual({
      plugin: 'probe',
      component: 'workspace-isolation',
      type: 'pluginRequest',
      method: 'GET',
      path: '/api/probe/context',
      status: 200,
      workspaceId: 'ws-log',
      userId: 'user-log',
      durationMs: expect.any(Number),
    });
    expect(rejected.meta).toMatchObject({ status: 400, path: '/api/probe/context' });
    expect(rejected.meta).not.toHaveProperty('workspaceId');

    const everything = logs.dump();
    expect(everything).not.toContain(githubToken);
    expect(everything).not.toContain(token);
  });
});

describe('workspace isolation wiring', () => {
  it('refuses to start a plugin that needs the workspace context if the factory is not installed', async () => {
    await expect(
      startTestBackend({
        features: [...orbitTestServices({ token: randomServiceToken(), pluginIds: ['probe'] }), probePlugin],
      }),
    ).rejects.toThrow(/orbit\.workspaceContext/);
  });

  it('forbids (403) the service token for plugins outside accessRestrictions', async () => {
    const token = randomServiceToken();
    const backend = await startTestBackend({
      features: [
        ...orbitTestServices({ token, pluginIds: ['workspace-isolation'] }),
        workspaceContextServiceFactory,
        probePlugin,
      ],
    });
    try {
      const res = await request(backend.server)
        .get('/api/probe/context')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Orbit-Workspace-Id', 'ws1');
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
    } finally {
      await backend.stop();
    }
  });
});
