/**
 * End-to-end: starts the real sidecar (`npm start` in sidecar/, exactly as the
 * gateway does) on a free port with a random token, and talks HTTP to it.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ROUTES_ENV } from './preflight';
import { freePort, killSidecar, startSidecar, waitFor, waitUntilReady, type Sidecar } from './testing/sidecarProcess';

const SHUTDOWN_DEADLINE_MS = 15_000;

type ErrorBody = { error: { name: string; message: string } };
type CountsBody = { total: number; byPath: Record<string, number> };

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('sidecar process', () => {
  const token = randomBytes(32).toString('base64url');
  const githubToken = `ghp_${randomBytes(20).toString('hex')}`;
  let baseUrl: string;
  let sidecar: Sidecar;

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${baseUrl}${path}`, { headers });
  const withToken = (headers: Record<string, string> = {}) => ({
    Authorization: `Bearer ${token}`,
    ...headers,
  });

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    sidecar = startSidecar({
      BACKSTAGE_SERVICE_TOKEN: token,
      SIDECAR_PORT: String(port),
      SIDECAR_HOST: '127.0.0.1',
      [TEST_ROUTES_ENV]: 'true',
    });
    await waitUntilReady(baseUrl, sidecar);
  });

  afterAll(async () => {
    await killSidecar(sidecar);
  });

  it('serves the health endpoints without auth', async () => {
    const readiness = await get('/.backstage/health/v1/readiness');
    expect(readiness.status).toBe(200);
    const liveness = await get('/.backstage/health/v1/liveness');
    expect(liveness.status).toBe(200);
    expect(await liveness.json()).toEqual({ status: 'ok' });
  });

  it('rejects plugin calls without the token (401)', async () => {
    const res = await get('/api/deployment/whoami', {
      'X-Orbit-Workspace-Id': 'ws-e2e',
    });
    expect(res.status).toBe(401);
    expect((await json<ErrorBody>(res)).error.name).toBe('AuthenticationError');
  });

  it('rejects plugin calls without the workspace header (400)', async () => {
    const res = await get('/api/deployment/whoami', withToken());
    expect(res.status).toBe(400);
    expect((await json<ErrorBody>(res)).error.name).toBe('InputError');
  });

  it('answers whoami with the token and workspace header', async () => {
    const res = await get(
      '/api/deployment/whoami',
      withToken({
        'X-Orbit-Workspace-Id': 'ws-e2e',
        'X-Orbit-User-Id': 'user-e2e',
        'X-Orbit-GitHub-Token': githubToken,
      }),
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      workspaceId: 'ws-e2e',
      userId: 'user-e2e',
      hasGitHubToken: true,
    });
    expect(text).not.toContain(githubToken);
  });

  it('counts plugin requests and protects the counter', async () => {
    expect((await get('/.orbit/requests')).status).toBe(401);
    const res = await get('/.orbit/requests', withToken());
    expect(res.status).toBe(200);
    const counts = await json<CountsBody>(res);
    // 400 and 200 above reached the isolation layer; the 401 did not.
    expect(counts.byPath['/api/deployment/whoami']).toBe(2);
    expect(counts.total).toBe(2);
  });

  it('never logs the tokens and stops on SIGTERM sent to npm', async () => {
    expect(sidecar.output()).toContain('pluginRequest');
    expect(sidecar.output()).not.toContain(githubToken);
    expect(sidecar.output()).not.toContain(token);

    sidecar.child.kill('SIGTERM');
    await sidecar.exited;
    // `npm start` execs node, so the signal reaches the backend itself and the
    // port is released (no orphaned server left behind).
    await waitFor(
      'the server to stop listening',
      async () => {
        try {
          await get('/.backstage/health/v1/liveness');
          return false;
        } catch {
          return true;
        }
      },
      SHUTDOWN_DEADLINE_MS,
    );
  });
});

describe('sidecar process without BACKSTAGE_SERVICE_TOKEN', () => {
  it('refuses to start and says how to set the token', async () => {
    const sidecar = startSidecar({
      BACKSTAGE_SERVICE_TOKEN: undefined,
      SIDECAR_PORT: String(await freePort()),
    });
    const code = await sidecar.exited;
    expect(code).not.toBe(0);
    expect(sidecar.output()).toContain('BACKSTAGE_SERVICE_TOKEN is not set');
    expect(sidecar.output()).toContain('export BACKSTAGE_SERVICE_TOKEN=');
  });
});
