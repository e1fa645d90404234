import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend } from '@backstage/backend-test-utils';
import workspaceIsolationPlugin, { workspaceContextServiceFactory } from '@internal/plugin-workspace-isolation-backend';
import {
  LogCollector,
  orbitTestServices,
  randomServiceToken,
} from '@internal/plugin-workspace-isolation-backend/testUtils';
import request from 'supertest';
import { deploymentPlugin } from './plugin';
import { diagnosticRoutesModule } from './testUtils/diagnosticRoutes';

describe('deployment plugin', () => {
  const token = randomServiceToken();
  const githubToken = `ghp_${randomServiceToken()}`;
  const logs = new LogCollector();
  const auth = { Authorization: `Bearer ${token}` };
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        ...orbitTestServices({
          token,
          pluginIds: ['deployment', 'workspace-isolation'],
          logs,
        }),
        workspaceContextServiceFactory,
        workspaceIsolationPlugin,
        deploymentPlugin,
        // /whoami and /echo: test-only routes showing what isolation hands a plugin.
        diagnosticRoutesModule,
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

  describe('GET /health', () => {
    it('answers ok to the gateway', async () => {
      const res = await request(server).get('/api/deployment/health').set(auth).set('X-Orbit-Workspace-Id', 'ws1');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('is workspace-scoped like every other route', async () => {
      const res = await request(server).get('/api/deployment/health').set(auth);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    });
  });

  describe('GET /whoami', () => {
    it('returns the workspace and user from the headers', async () => {
      const res = await request(server)
        .get('/api/deployment/whoami')
        .set(auth)
        .set('X-Orbit-Workspace-Id', 'acme-prod')
        .set('X-Orbit-User-Id', 'user_123');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        workspaceId: 'acme-prod',
        userId: 'user_123',
        hasGitHubToken: false,
      });
    });

    it('returns userId null when no user is given', async () => {
      const res = await request(server)
        .get('/api/deployment/whoami')
        .set(auth)
        .set('X-Orbit-Workspace-Id', 'acme-prod');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        workspaceId: 'acme-prod',
        userId: null,
        hasGitHubToken: false,
      });
    });

    it('reports a GitHub token without echoing or logging it', async () => {
      const res = await request(server)
        .get('/api/deployment/whoami')
        .set(auth)
        .set('X-Orbit-Workspace-Id', 'acme-prod')
        .set('X-Orbit-GitHub-Token', githubToken);
      expect(res.status).toBe(200);
      expect(res.body.hasGitHubToken).toBe(true);
      expect(res.text).not.toContain(githubToken);
      expect(JSON.stringify(res.headers)).not.toContain(githubToken);
      expect(logs.dump()).not.toContain(githubToken);
    });

    it('rejects a missing workspace header with 400 JSON', async () => {
      const res = await request(server).get('/api/deployment/whoami').set(auth);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('X-Orbit-Workspace-Id'),
      });
    });

    it('rejects a malformed workspace header with 400 JSON', async () => {
      const res = await request(server)
        .get('/api/deployment/whoami')
        .set(auth)
        .set('X-Orbit-Workspace-Id', '../other-workspace');
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    });

    it('rejects a request without the static token with 401', async () => {
      const res = await request(server).get('/api/deployment/whoami').set('X-Orbit-Workspace-Id', 'acme-prod');
      expect(res.status).toBe(401);
      expect(res.body.error.name).toBe('AuthenticationError');
    });

    it('rejects a wrong token with 401', async () => {
      const res = await request(server)
        .get('/api/deployment/whoami')
        .set('Authorization', `Bearer ${randomServiceToken()}`)
        .set('X-Orbit-Workspace-Id', 'acme-prod');
      expect(res.status).toBe(401);
    });
  });

  describe('POST /echo', () => {
    it('echoes the JSON body with the workspace', async () => {
      const body = { hello: 'world', nested: { list: [1, 2, 3] } };
      const res = await request(server)
        .post('/api/deployment/echo')
        .set(auth)
        .set('X-Orbit-Workspace-Id', 'ws-echo')
        .send(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ workspaceId: 'ws-echo', body });
    });

    it('rejects a non-JSON body with 400', async () => {
      const res = await request(server)
        .post('/api/deployment/echo')
        .set(auth)
        .set('X-Orbit-Workspace-Id', 'ws-echo')
        .set('Content-Type', 'text/plain')
        .send('hello');
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    });

    it('rejects malformed JSON with 400 without echoing it', async () => {
      const res = await request(server)
        .post('/api/deployment/echo')
        .set(auth)
        .set('X-Orbit-Workspace-Id', 'ws-echo')
        .set('Content-Type', 'application/json')
        .send('{"unterminated": "s3cr3t-fragment');
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        name: 'InputError',
        message: 'Request body is not valid JSON',
      });
      expect(res.text).not.toContain('s3cr3t-fragment');
    });
  });

  it('counts the requests it receives', async () => {
    const before = await counts();
    await request(server).get('/api/deployment/whoami').set(auth).set('X-Orbit-Workspace-Id', 'ws1').expect(200);
    await request(server).get('/api/deployment/whoami').set(auth).expect(400);
    await request(server)
      .post('/api/deployment/echo')
      .set(auth)
      .set('X-Orbit-Workspace-Id', 'ws1')
      .send({ n: 1 })
      .expect(200);
    const after = await counts();
    expect(after.total - before.total).toBe(3);
    expect((after.byPath['/api/deployment/whoami'] ?? 0) - (before.byPath['/api/deployment/whoami'] ?? 0)).toBe(2);
    expect((after.byPath['/api/deployment/echo'] ?? 0) - (before.byPath['/api/deployment/echo'] ?? 0)).toBe(1);
  });
});
