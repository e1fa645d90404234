/**
 * Test helpers that run the real sidecar as a child process (`npm start` in
 * sidecar/, exactly as operators and the gateway's stack do) and wait on it.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const SIDECAR_ROOT = resolve(__dirname, '../../../..');
export const STARTUP_DEADLINE_MS = 120_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface Sidecar {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs `npm start` in sidecar/ with the given environment additions (an
 * `undefined` value removes the variable).
 */
export function startSidecar(env: Record<string, string | undefined>): Sidecar {
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
  const [command, args] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli, 'start']] : ['npm', ['start']];
  return spawnWithOutput(command, args, childEnv);
}

/** Spawns a process in sidecar/ and keeps its combined output. */
export function spawnWithOutput(command: string, args: string[], env: NodeJS.ProcessEnv): Sidecar {
  const child = spawn(command, args, {
    cwd: SIDECAR_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that killSidecar reaches what `npm start` started too.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  const exited = new Promise<number | null>(resolveExit => child.once('exit', code => resolveExit(code)));
  return { child, output: () => output, exited };
}

/** Polls `condition` until it returns true, the deadline passes, or `abort` settles. */
export async function waitFor(
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

/** Waits until Backstage's readiness endpoint answers 200. */
export async function waitUntilReady(baseUrl: string, sidecar: Sidecar): Promise<void> {
  await waitFor(
    'readiness',
    async () => {
      try {
        return (await fetch(`${baseUrl}/.backstage/health/v1/readiness`)).status === 200;
      } catch {
        return false; // not listening yet
      }
    },
    STARTUP_DEADLINE_MS,
    sidecar.exited,
  ).catch(error => {
    throw new Error(`${error.message}\n--- sidecar output ---\n${sidecar.output()}`);
  });
}

/**
 * Kills the process and everything it started (its process group: npm, the shell and the
 * sidecar under it — SIGKILL to npm alone left the sidecar running) and waits for it to exit.
 */
export async function killSidecar(sidecar: Sidecar | undefined): Promise<void> {
  if (!sidecar || sidecar.child.pid === undefined) return;
  const running = sidecar.child.exitCode === null && sidecar.child.signalCode === null;
  try {
    process.kill(-sidecar.child.pid, 'SIGKILL');
  } catch {
    // The group is gone already: everything in it has exited.
  }
  if (running) await sidecar.exited;
}
