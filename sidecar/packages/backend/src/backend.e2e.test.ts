/**
 * End-to-end: starts the real sidecar (`npm start` in sidecar/, exactly as the
 * gateway does) on a free port with a random token, and talks HTTP to it.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SIDECAR_ROOT = resolve(__dirname, '../../..');
const STARTUP_DEADLINE_MS = 120_000;
const SHUTDOWN_DEADLINE_MS = 15_000;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

type ErrorBody = { error: { name: string; message: string } };
type CountsBody = { total: number; byPath: Record<string, number> };

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Sidecar {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `npm start` in sidecar/ with the given environment additions. */
function startSidecar(env: Record<string, string | undefined>): Sidecar {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Behave like a plain `npm start`, not like a process under vitest.
  delete childEnv.NODE_ENV;
  for (const name of Object.keys(childEnv)) {
    if (name.startsWith('VITEST')) delete childEnv[name];
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
  }
  const npmCli = process.env.npm_execpath;
  const [command, args] =
    npmCli && npmCli.endsWith('.js')
      ? [process.execPath, [npmCli, 'start']]
      : ['npm', ['start']];
  const child = spawn(command, args, {
    cwd: SIDECAR_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  const exited = new Promise<number | null>(resolveExit =>
    child.once('exit', code => resolveExit(code)),
  );
  return { child, output: () => output, exited };
}

/** Polls `condition` until it returns true, the deadline passes, or `abort` settles. */
async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  deadlineMs: number,
  abort?: Promise<unknown>,
): Promise<void> {
  let aborted = false;
  void abort?.then(() => (aborted = true));
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (aborted) throw new Error(`Gave up waiting for ${what}: process exited`);
    if (await condition()) return;
    await new Promise(r => setTimeout(r, 100)); // poll interval, not a sync sleep
  }
  throw new Error(`Timed out after ${deadlineMs} ms waiting for ${what}`);
}

describe('sidecar process', () => {
  const token = randomBytes(32).toString('base64url');
  const githubToken = `ghp_${randomBytes(20).toString('hex')}`;
  let baseUrl: string;
  let sidecar: Sidecar;

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}`, { headers });
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
    });
    await waitFor(
      'readiness',
      async () => {
        try {
          return (await get('/.backstage/health/v1/readiness')).status === 200;
        } catch {
          return false; // not listening yet
        }
      },
      STARTUP_DEADLINE_MS,
      sidecar.exited,
    ).catch(error => {
      throw new Error(`${error.message}\n--- sidecar output ---\n${sidecar.output()}`);
    });
  });

  afterAll(async () => {
    if (sidecar && sidecar.child.exitCode === null) {
      sidecar.child.kill('SIGKILL');
      await sidecar.exited;
    }
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
