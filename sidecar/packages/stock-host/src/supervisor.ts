import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { dirname, resolve } from 'node:path';
import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import type { StockPluginDefinition } from './definitions';
import type { LaunchSpec } from './child/launch';
import { CHILD_SOURCE, type ChildCommand, childCommand } from './childBuild';
import { DEFAULT_IDLE_SECONDS, DEFAULT_MAX_PROCESSES, MAX_PROCESSES_ENV } from './processSettings';

// __filename, not __dirname: tsx gives a module loaded from ESM a data: __dirname.
const PACKAGE_DIR = resolve(dirname(__filename), '..');

/** Variables a child inherits: what Node, Backstage's logger and the egress guard read; never the sidecar's token. */
const INHERITED_ENV = /^(PATH|HOME|NODE_OPTIONS|NODE_ENV|LOG_LEVEL|TZ|ORBIT_EGRESS_[A-Z_]+)$/;

export interface StockSupervisorOptions {
  /** How long a process may take to become ready (default 60 s). */
  readonly startTimeoutMs?: number;
  /** Called with a line of a child's stderr, the workspace's secret values already replaced. */
  readonly onChildLog?: (line: string, instance: { pluginId: string; workspaceId: string }) => void;
  /** A serving process with no call for this long is stopped (default 900 s); the next call starts it again. */
  readonly idleStopMs?: number;
  /** At most this many processes at once (default 20); at the cap the least recently used idle one is stopped. */
  readonly maxProcesses?: number;
  /** Run the child compiled to JavaScript (default), or its TypeScript source through tsx (false; for comparison). */
  readonly compiledChild?: boolean;
}

/** Why a process stopped, as the `stopped` event reports it. */
export type StockStopReason = 'idle' | 'evicted' | 'stopped-by-request' | 'replaced' | 'failed' | 'exited' | 'shutdown';

/** The payload of the supervisor's `stopped` event, emitted once a child process has exited. */
export interface StockStoppedEvent {
  readonly pluginId: string;
  readonly workspaceId: string;
  readonly pid: number | undefined;
  readonly reason: StockStopReason;
}

/** Every process runs and is busy: a new one cannot start now (the front answers 503 with Retry-After). */
export class StockCapacityError extends Error {
  readonly retryAfterSeconds = 5;
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
  /** When a call last chose this process (idle stop and least-recently-used eviction). */
  lastUsedAt: number;
  idleTimer?: NodeJS.Timeout;
  stopReason?: StockStopReason;
}

/** How long a stopped process may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

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
 *
 * A serving process with no call for `idleStopMs` is stopped; at most
 * `maxProcesses` run, the least recently used idle one making room for a new
 * one. Emits `stopped` (a StockStoppedEvent) whenever a child has exited.
 */
export class StockSupervisor extends EventEmitter {
  private readonly serving = new Map<string, Instance>();
  private readonly replacing = new Map<string, Instance>();
  /** Every child not yet exited, serving or not (draining, starting green, failed and being killed). */
  private readonly processes = new Set<Instance>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private closed = false;
  private command?: ChildCommand;

  constructor(private readonly options: StockSupervisorOptions = {}) {
    super();
  }

  /**
   * The process that answers this workspace's calls now (started or replaced as
   * needed), once it is ready; `stale` when it runs with the settings being replaced.
   */
  async instanceFor(
    definition: StockPluginDefinition,
    workspaceId: string,
    settings: PluginSettings,
  ): Promise<{ instance: Instance; stale: boolean }> {
    const chosen = this.choose(definition, workspaceId, settings);
    await chosen.instance.ready;
    if (chosen.instance.state === 'stopped') {
      throw new Error(`the ${definition.pluginId} process of workspace ${workspaceId} was stopped; try again`);
    }
    this.hold(chosen.instance);
    return chosen;
  }

  /**
   * Starts the process for these settings (a new one, or green next to the serving one)
   * without waiting for it, so the workspace's next call finds it ready. Throws
   * StockCapacityError when no process may start now.
   */
  prewarm(definition: StockPluginDefinition, workspaceId: string, settings: PluginSettings): void {
    const { instance } = this.choose(definition, workspaceId, settings);
    instance.ready.catch(() => {}); // a failed start is the workspace's health, reported there
  }

  /** Stops a workspace's processes of a plugin (the plugin was disabled); calls in flight finish first. */
  stopInstances(pluginId: string, workspaceId: string): number {
    const key = `${pluginId}\u0000${workspaceId}`;
    const found = [this.serving.get(key), this.replacing.get(key)].filter(instance => instance !== undefined);
    this.serving.delete(key);
    this.replacing.delete(key);
    for (const instance of found) this.retire(instance, 'stopped-by-request');
    return found.length;
  }

  /** The number of child processes not yet exited. */
  get processCount(): number {
    return this.processes.size;
  }

  /** Picks (and starts, synchronously) the process for a call; never waits. */
  private choose(
    definition: StockPluginDefinition,
    workspaceId: string,
    settings: PluginSettings,
  ): { instance: Instance; stale: boolean } {
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
      this.touch(current);
      return { instance: current, stale: false };
    }
    if (current?.state !== 'ready') {
      // Nothing usable to answer from meanwhile: start with these settings (the caller waits).
      if (found) this.retire(found, 'replaced');
      this.serving.delete(key);
      const fresh = this.start(definition, workspaceId, settings, digest, key);
      this.serving.set(key, fresh);
      return { instance: fresh, stale: false };
    }
    // Blue/green: the old process answers until the new one is ready.
    this.touch(current);
    const pending = this.replacing.get(key);
    if (!pending || pending.settingsDigest !== digest) {
      if (pending) this.retire(pending, 'replaced');
      this.replacing.delete(key);
      let next: Instance;
      try {
        next = this.start(definition, workspaceId, settings, digest, key);
      } catch (error) {
        // No room for green now: blue keeps answering (not cached) and the next call tries again.
        if (error instanceof StockCapacityError) return { instance: current, stale: true };
        throw error;
      }
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
    if (!instance) return { healthy: true, message: 'not running (starts with the next call)' };
    if (instance.state === 'failed') return { healthy: false, message: instance.failure ?? 'failed to start' };
    return { healthy: true, message: instance.state };
  }

  /** Sends one request to an instance; counts it in flight so a retiring instance drains first. */
  request(
    instance: Instance,
    options: { method: string; path: string; headers?: http.OutgoingHttpHeaders; body?: string },
  ) {
    instance.inFlight += 1;
    this.touch(instance);
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
    const all = [...this.processes];
    this.serving.clear();
    this.replacing.clear();
    await Promise.all(all.map(instance => this.stop(instance, 'shutdown')));
    this.agent.destroy();
  }

  /**
   * Holds the chosen process until the caller's continuation has run (it sends its
   * request in the same turn), so neither the idle stop nor an eviction can take it
   * between choosing and sending.
   */
  private hold(instance: Instance): void {
    instance.inFlight += 1;
    this.touch(instance);
    setImmediate(() => this.finished(instance));
  }

  private touch(instance: Instance): void {
    instance.lastUsedAt = Date.now();
    clearTimeout(instance.idleTimer);
    instance.idleTimer = undefined;
  }

  /** Arms the idle stop of a serving process with no call in flight. */
  private armIdle(instance: Instance): void {
    if (instance.state !== 'ready' || instance.inFlight > 0 || instance.idleTimer) return;
    const wait = Math.max(0, instance.lastUsedAt + this.idleStopMs - Date.now());
    instance.idleTimer = setTimeout(() => {
      instance.idleTimer = undefined;
      const key = keyOf(instance);
      if (instance.state !== 'ready' || instance.inFlight > 0 || this.serving.get(key) !== instance) return;
      if (this.replacing.has(key)) return this.armIdle(instance); // a takeover is under way: not idle
      if (Date.now() - instance.lastUsedAt < this.idleStopMs) return this.armIdle(instance);
      this.serving.delete(key);
      this.retire(instance, 'idle');
    }, wait);
    instance.idleTimer.unref();
  }

  private get idleStopMs(): number {
    return this.options.idleStopMs ?? DEFAULT_IDLE_SECONDS * 1000;
  }

  private get maxProcesses(): number {
    return this.options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
  }

  /**
   * Makes room for one more process: at the cap, stops the least recently used
   * serving process with nothing in flight (never the workspace's own, `key`);
   * throws StockCapacityError when every process is busy.
   */
  private makeRoom(key: string): void {
    const running = [...this.processes].filter(instance => instance.state !== 'stopped' && instance.state !== 'failed');
    if (running.length < this.maxProcesses) return;
    const idle = running
      .filter(instance => instance.state === 'ready' && instance.inFlight === 0 && keyOf(instance) !== key)
      .filter(instance => this.serving.get(keyOf(instance)) === instance && !this.replacing.has(keyOf(instance)))
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
    if (!idle) {
      throw new StockCapacityError(
        `the sidecar already runs its maximum of ${this.maxProcesses} stock plugin processes and all are busy; ` +
          `try again in a few seconds (operators: raise ${MAX_PROCESSES_ENV})`,
      );
    }
    this.serving.delete(keyOf(idle));
    this.retire(idle, 'evicted');
  }

  private mayRetry(instance: Instance): boolean {
    return instance.state === 'failed' && Date.now() - (instance.failedAt ?? 0) > RETRY_FAILED_AFTER_MS;
  }

  private promote(key: string, next: Instance): void {
    if (this.replacing.get(key) !== next) return;
    this.replacing.delete(key);
    const old = this.serving.get(key);
    this.serving.set(key, next);
    if (old && old !== next) this.retire(old, 'replaced');
    this.armIdle(next);
  }

  private start(
    definition: StockPluginDefinition,
    workspaceId: string,
    settings: PluginSettings,
    settingsDigest: string,
    key: string,
  ): Instance {
    this.makeRoom(key);
    const token = randomBytes(32).toString('base64url');
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => INHERITED_ENV.test(name)));
    const child = spawn(process.execPath, [...this.childArgs()], {
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
      lastUsedAt: Date.now(),
      ready: Promise.resolve(),
    };
    this.processes.add(instance);
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
        // Stopped on purpose before it was ready (replaced, stopped by request): its waiters must not hang.
        if (!instance.readyAt && instance.state !== 'starting' && instance.state !== 'failed') {
          reject(
            new Error(`the ${definition.pluginId} process of workspace ${workspaceId} was stopped before it was ready`),
          );
        }
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
            instance.lastUsedAt = instance.readyAt; // a prewarmed process is idle from when it can serve
            resolve();
            this.armIdle(instance);
          },
          error => fail((error as Error).message),
        );
      });
    });
    ready.catch(() => {}); // observed by callers; never an unhandled rejection
    (instance as { ready: Promise<void> }).ready = ready;
    // After the readiness listener above, so the state says whether the start had failed.
    child.once('exit', () => {
      this.processes.delete(instance);
      clearTimeout(instance.idleTimer);
      const reason = instance.stopReason ?? (instance.state === 'failed' ? 'failed' : 'exited');
      this.emit('stopped', {
        pluginId: instance.pluginId,
        workspaceId,
        pid: child.pid,
        reason,
      } satisfies StockStoppedEvent);
    });
    return instance;
  }

  /** The child's node arguments, decided once: the compiled bundle (built if stale) unless it cannot be built. */
  private childArgs(): readonly string[] {
    if (this.options.compiledChild === false) return ['--import', 'tsx', CHILD_SOURCE];
    if (!this.command) {
      this.command = childCommand();
      if (this.command.note) console.warn(this.command.note);
    }
    return this.command.args;
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
    if (instance.inFlight > 0) return;
    if (instance.state === 'draining') void this.stop(instance);
    else if (this.serving.get(keyOf(instance)) === instance) this.armIdle(instance);
  }

  /** Takes an instance out of service: it stops once its calls in flight are answered. */
  private retire(instance: Instance, reason: StockStopReason): void {
    if (instance.state === 'failed' || instance.state === 'stopped') return;
    instance.stopReason ??= reason;
    clearTimeout(instance.idleTimer);
    instance.state = 'draining';
    if (instance.inFlight === 0) void this.stop(instance);
  }

  private async stop(instance: Instance, reason?: StockStopReason): Promise<void> {
    const { child } = instance;
    if (reason) instance.stopReason ??= reason;
    instance.state = 'stopped';
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise(resolve => {
      // Backstage stops its plugins on SIGTERM; one that hangs in its shutdown must not keep the
      // process (and the workspace's credentials in it) alive.
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      kill.unref();
      child.once('exit', () => {
        clearTimeout(kill);
        resolve(undefined);
      });
      child.kill('SIGTERM');
    });
  }
}

function keyOf(instance: Instance): string {
  return `${instance.pluginId}\u0000${instance.workspaceId}`;
}

/** The last line of a child's stderr that says what went wrong (Backstage logs a reason before exiting). */
function lastProblem(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('at ') && !line.startsWith('Node.js v'));
  return (lines.findLast(line => /error|failed|invalid|missing/i.test(line)) ?? lines.at(-1))?.slice(0, 500);
}
