import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { dirname, resolve } from 'node:path';
import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import type { StockPluginDefinition } from './definitions';
import type { LaunchSpec } from './child/launch';

// __filename, not __dirname: tsx gives a module loaded from ESM a data: __dirname.
const CHILD_MAIN = resolve(dirname(__filename), 'child/main.ts');
const PACKAGE_DIR = resolve(dirname(__filename), '..');

/** Variables a child inherits: what Node, Backstage's logger and the egress guard read; never the sidecar's token. */
const INHERITED_ENV = /^(PATH|HOME|NODE_OPTIONS|NODE_ENV|LOG_LEVEL|TZ|ORBIT_EGRESS_[A-Z_]+)$/;

export interface StockSupervisorOptions {
  /** How long a process may take to become ready (default 60 s). */
  readonly startTimeoutMs?: number;
  /** Called with a line of a child's stderr, the workspace's secret values already replaced. */
  readonly onChildLog?: (line: string, instance: { pluginId: string; workspaceId: string }) => void;
}

export interface StockInstanceHealth {
  readonly healthy: boolean;
  readonly message: string;
}

type State = 'starting' | 'ready' | 'failed' | 'draining' | 'stopped';

/** One Backstage process hosting one stock plugin for one workspace, with one version of its settings. */
interface Instance {
  readonly pluginId: string;
  readonly workspaceId: string;
  /** Digest of the settings the process was started with (kept in memory only). */
  readonly settingsDigest: string;
  readonly token: string;
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  state: State;
  port: number;
  failure?: string;
  failedAt?: number;
  inFlight: number;
  startedAt: number;
  readyAt?: number;
}

/** A failed start is retried with the same settings at most this often. */
const RETRY_FAILED_AFTER_MS = 10_000;

function digestOf(settings: PluginSettings): string {
  const sorted = (record: Readonly<Record<string, string>>) =>
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256')
    .update(JSON.stringify([sorted(settings.config), sorted(settings.secrets)]))
    .digest('hex');
}

function redactor(settings: PluginSettings): (text: string) => string {
  const secrets = Object.values(settings.secrets).filter(value => value.length >= 4);
  return text => secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
}

/**
 * Starts, routes to and replaces the stock plugin processes of the sidecar:
 * one per (plugin, workspace). A call with settings the serving process was
 * not started with starts a new process and keeps answering from the old one
 * until the new one is ready (blue/green); then the old one finishes its
 * calls in flight and stops. Connections to children use an agent of their
 * own, outside the egress guard (which refuses loopback): only this module
 * dials them, at the port the child reported.
 */
export class StockSupervisor {
  private readonly serving = new Map<string, Instance>();
  private readonly replacing = new Map<string, Instance>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private closed = false;

  constructor(private readonly options: StockSupervisorOptions = {}) {}

  /**
   * The process that answers this workspace's calls now (started or replaced as
   * needed); `stale` when it runs with the settings being replaced.
   */
  async instanceFor(
    definition: StockPluginDefinition,
    workspaceId: string,
    settings: PluginSettings,
  ): Promise<{ instance: Instance; stale: boolean }> {
    if (this.closed) throw new Error('the sidecar is shutting down');
    const key = `${definition.pluginId}\u0000${workspaceId}`;
    const digest = digestOf(settings);
    const found = this.serving.get(key);
    // A process that exited after it was ready (a crash) or whose failure may be retried is replaced.
    const current =
      found &&
      (found.state === 'starting' || found.state === 'ready' || !this.mayRetry(found)) &&
      found.state !== 'stopped'
        ? found
        : undefined;
    if (current && current.settingsDigest === digest) {
      await current.ready;
      return { instance: current, stale: false };
    }
    if (current?.state !== 'ready') {
      // Nothing usable to answer from meanwhile: start with these settings and wait.
      const fresh = this.start(definition, workspaceId, settings, digest);
      this.serving.set(key, fresh);
      if (found) this.retire(found);
      await fresh.ready;
      return { instance: fresh, stale: false };
    }
    // Blue/green: the old process answers until the new one is ready.
    const pending = this.replacing.get(key);
    if (!pending || pending.settingsDigest !== digest) {
      if (pending) this.retire(pending);
      const next = this.start(definition, workspaceId, settings, digest);
      this.replacing.set(key, next);
      next.ready.then(
        () => this.promote(key, next),
        () => this.promote(key, next),
      );
    }
    return { instance: current, stale: true };
  }

  /** The health of a workspace's instance of a plugin, as the gateway's ListPlugins reports it. */
  healthOf(pluginId: string, workspaceId: string): StockInstanceHealth {
    const instance = this.serving.get(`${pluginId}\u0000${workspaceId}`);
    if (!instance) return { healthy: true, message: 'not started yet (starts with the first call)' };
    if (instance.state === 'failed') return { healthy: false, message: instance.failure ?? 'failed to start' };
    return { healthy: true, message: instance.state };
  }

  /** Sends one request to an instance; counts it in flight so a retiring instance drains first. */
  request(
    instance: Instance,
    options: { method: string; path: string; headers?: http.OutgoingHttpHeaders; body?: string },
  ) {
    instance.inFlight += 1;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: '127.0.0.1',
          port: instance.port,
          method: options.method,
          path: options.path,
          headers: {
            ...options.headers,
            ...(options.body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) }),
            authorization: `Bearer ${instance.token}`,
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(options.body);
    }).then(
      response => {
        const done = () => this.finished(instance);
        response.once('end', done);
        response.once('error', done);
        return response;
      },
      error => {
        this.finished(instance);
        throw error;
      },
    );
  }

  /** Stops every process (the sidecar is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.serving.values(), ...this.replacing.values()];
    this.serving.clear();
    this.replacing.clear();
    await Promise.all(all.map(instance => this.stop(instance)));
    this.agent.destroy();
  }

  private mayRetry(instance: Instance): boolean {
    return instance.state === 'failed' && Date.now() - (instance.failedAt ?? 0) > RETRY_FAILED_AFTER_MS;
  }

  private promote(key: string, next: Instance): void {
    if (this.replacing.get(key) !== next) return;
    this.replacing.delete(key);
    const old = this.serving.get(key);
    this.serving.set(key, next);
    if (old && old !== next) this.retire(old);
  }

  private start(
    definition: StockPluginDefinition,
    workspaceId: string,
    settings: PluginSettings,
    settingsDigest: string,
  ): Instance {
    const token = randomBytes(32).toString('base64url');
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => INHERITED_ENV.test(name)));
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD_MAIN], {
      cwd: PACKAGE_DIR,
      env,
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
    });
    const redact = redactor(settings);
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = redact(chunk.toString('utf8'));
      stderrTail = (stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) {
        if (line.trim()) this.options.onChildLog?.(line, { pluginId: definition.pluginId, workspaceId });
      }
    });
    const spec: LaunchSpec = { pluginId: definition.pluginId, workspaceId, token, settings };
    child.stdin?.end(JSON.stringify(spec));

    const instance: Instance = {
      pluginId: definition.pluginId,
      workspaceId,
      settingsDigest,
      token,
      child,
      state: 'starting',
      port: 0,
      inFlight: 0,
      startedAt: Date.now(),
      ready: Promise.resolve(),
    };
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        if (instance.state !== 'starting') return;
        instance.state = 'failed';
        instance.failedAt = Date.now();
        instance.failure = `the ${definition.pluginId} plugin of workspace ${workspaceId} failed to start: ${reason}`;
        if (child.exitCode === null) child.kill('SIGKILL');
        reject(new Error(instance.failure));
      };
      const timer = setTimeout(() => fail(`not ready after ${this.startTimeoutMs} ms`), this.startTimeoutMs);
      child.once('exit', code => {
        clearTimeout(timer);
        fail(lastProblem(stderrTail) ?? `the process exited with ${code}`);
        if (instance.state === 'ready') instance.state = 'stopped';
      });
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const match = /\{"listening":(\d+)\}/.exec(stdout);
        if (!match || instance.port) return;
        instance.port = Number(match[1]);
        this.waitUntilReady(instance).then(
          () => {
            clearTimeout(timer);
            if (instance.state !== 'starting') return;
            instance.state = 'ready';
            instance.readyAt = Date.now();
            resolve();
          },
          error => fail((error as Error).message),
        );
      });
    });
    ready.catch(() => {}); // observed by callers; never an unhandled rejection
    (instance as { ready: Promise<void> }).ready = ready;
    return instance;
  }

  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? 60_000;
  }

  /** Polls the child's readiness (Backstage answers 200 once every plugin has started). */
  private async waitUntilReady(instance: Instance): Promise<void> {
    while (instance.state === 'starting') {
      const status = await new Promise<number>(resolve => {
        const req = http.get(
          { agent: this.agent, host: '127.0.0.1', port: instance.port, path: '/.backstage/health/v1/readiness' },
          response => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        req.on('error', () => resolve(0));
      });
      if (status === 200) return;
      await new Promise(resolve => setTimeout(resolve, 100)); // poll interval; bounded by the start timeout
    }
  }

  private finished(instance: Instance): void {
    instance.inFlight -= 1;
    if (instance.state === 'draining' && instance.inFlight === 0) void this.stop(instance);
  }

  /** Takes an instance out of service: it stops once its calls in flight are answered. */
  private retire(instance: Instance): void {
    if (instance.state === 'failed' || instance.state === 'stopped') return;
    instance.state = 'draining';
    if (instance.inFlight === 0) void this.stop(instance);
  }

  private async stop(instance: Instance): Promise<void> {
    const { child } = instance;
    instance.state = 'stopped';
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise(resolve => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }
}

/** The last line of a child's stderr that says what went wrong (Backstage logs a reason before exiting). */
function lastProblem(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('at ') && !line.startsWith('Node.js v'));
  return (lines.findLast(line => /error|failed|invalid|missing/i.test(line)) ?? lines.at(-1))?.slice(0, 500);
}
