/**
 * The command line (`npm start` / `npm run demo` in this package) as a child
 * process: it prints one JSON line with its URLs, then the demo tokens, serves
 * the API and the control endpoints, and stops on SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_TOKENS } from './seed';
import { call } from './testing/http';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const scripts = (
  JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

interface Started {
  child: ChildProcessWithoutNullStreams;
  first: { url: string; apiUrl: string; control: string };
  /** Everything printed so far. */
  output: () => string;
}

const children: ChildProcessWithoutNullStreams[] = [];

/** Runs a package script's command (after `exec`) with extra arguments; resolves once the summary is printed. */
function runScript(script: string, extraArgs: string[]): Promise<Started> {
  const command = scripts[script]?.replace(/^exec\s+/, '').split(/\s+/) ?? [];
  const [bin, ...args] = command;
  if (bin !== 'node') throw new Error(`unexpected ${script} script: ${scripts[script]}`);
  const child = spawn(process.execPath, [...args, ...extraArgs], { cwd: packageDir, stdio: 'pipe' });
  children.push(child);
  let text = '';
  let first: Started['first'] | undefined;
  return new Promise((resolve, reject) => {
    child.once('exit', code => reject(new Error(`simulator exited (${code}) before it was ready:\n${text}`)));
    createInterface({ input: child.stdout }).on('line', line => {
      text += `${line}\n`;
      if (!first && line.startsWith('{')) first = JSON.parse(line) as Started['first'];
      // The control endpoint list is the last thing printed.
      if (first && line.includes('/_simulator/time')) resolve({ child, first, output: () => text });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
  });
}

function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise(resolve => {
    child.removeAllListeners('exit');
    child.once('exit', code => resolve(code));
    child.kill('SIGTERM');
  });
}

afterEach(async () => {
  await Promise.all(children.splice(0).map(stop));
});

describe('the simulator command line', () => {
  it('`demo` prints its URL and the demo tokens, serves the demo seed and stops cleanly', async () => {
    expect(scripts.demo).toMatch(/--port 7070/);
    // The demo's own arguments, on a free port instead of 7070.
    const { child, first, output } = await runScript('demo', ['--port', '0']);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.apiUrl).toBe(first.url);
    expect(first.control).toBe(`${first.url}/_simulator`);
    for (const token of Object.values(DEMO_TOKENS)) expect(output()).toContain(token);
    expect(output()).toContain(`GitHub simulator listening on ${first.url}`);

    const repo = await call(first.apiUrl, 'GET', '/repos/acme/checkout', { token: DEMO_TOKENS.dev });
    expect(repo.status).toBe(200);
    const control = await call(first.url, 'GET', '/_simulator');
    expect((control.body as { repos: string[] }).repos).toEqual(['acme/checkout', 'acme/payments']);

    expect(await stop(child)).toBe(0);
  });

  it('`start` takes GHES mode and moves runs on its own with --auto-advance', async () => {
    const { first } = await runScript('start', [
      '--port',
      '0',
      '--seed',
      'demo',
      '--ghes',
      '3.20',
      '--auto-advance',
      '20',
    ]);
    expect(first.apiUrl).toBe(`${first.url}/api/v3`);
    const dispatched = await call(
      first.apiUrl,
      'POST',
      '/repos/acme/checkout/actions/workflows/deploy.yml/dispatches',
      {
        token: DEMO_TOKENS.dev,
        body: { ref: 'main', inputs: { version: 'v1.2.0', environment: 'staging' } },
      },
    );
    expect(dispatched.status).toBe(204);
    // Wait for the condition (the run completing), polling the control endpoint.
    const deadline = Date.now() + 10_000;
    let status = '';
    while (Date.now() < deadline) {
      const runs = (await call(first.url, 'GET', '/_simulator/runs')).body as Array<{
        status: string;
        conclusion: string | null;
      }>;
      status = `${runs[0]?.status}/${runs[0]?.conclusion}`;
      if (status === 'completed/success') break;
      await new Promise(resolve => setImmediate(resolve));
    }
    expect(status).toBe('completed/success');
  });

  it('--latency holds every REST API answer back by that long; the control API answers at once', async () => {
    const latencyMs = 1500;
    const { first } = await runScript('start', ['--port', '0', '--seed', 'demo', '--latency', String(latencyMs)]);
    const timed = async (request: () => Promise<{ status: number }>) => {
      const started = performance.now();
      const { status } = await request();
      return { status, ms: performance.now() - started };
    };
    const api = await timed(() => call(first.apiUrl, 'GET', '/repos/acme/checkout', { token: DEMO_TOKENS.dev }));
    expect(api.status).toBe(200);
    expect(api.ms).toBeGreaterThanOrEqual(latencyMs - 5);
    const control = await timed(() => call(first.url, 'GET', '/_simulator'));
    expect(control.status).toBe(200);
    expect(control.ms).toBeLessThan(latencyMs);
  });
});
