import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { HttpError } from './errors';
import { looksLikeJwt, verifyAppJwt } from './jwt';
import { Counters, RateLimiter } from './limits';
import { jobHtmlUrl, runHtmlUrl, type Urls } from './render';
import { compareVersions, compileTemplate, routes, type Ctx, type Identity, type Result, type Route } from './routes';
import { demoSeed } from './seed';
import { SimState, type RunRec } from './state';
import type {
  DispatchOptions,
  GitHubSimulator,
  GitHubSimulatorOptions,
  RunSnapshot,
  SimulatorControl,
  SimulatorSeed,
} from './types';

const DEFAULT_API_VERSION = '2022-11-28';
const DOTCOM_API_VERSIONS = ['2022-11-28', '2026-03-10'];
const GHES_PREFIX = '/api/v3';
const DOCS = 'https://docs.github.com/rest';
const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY_DOCS =
  'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits';

interface CompiledRoute extends Route {
  match: (path: string) => Record<string, string> | null;
}

/** Starts a GitHub REST API simulator on 127.0.0.1 (port 0 by default). */
export async function createGitHubSimulator(options: GitHubSimulatorOptions = {}): Promise<GitHubSimulator> {
  const sim = new Simulator(options);
  await sim.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url: sim.url,
    apiUrl: sim.apiUrl,
    control: sim.control,
    close: () => sim.close(),
  };
}

class Simulator {
  url = '';
  apiUrl = '';
  urls: Urls = { api: '', html: '' };
  state!: SimState;
  limiter!: RateLimiter;
  readonly counters = new Counters();
  readonly control: SimulatorControl;
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({ message: `Simulator error: ${error instanceof Error ? error.message : String(error)}` }),
        );
      } else res.destroy();
    });
  });
  private readonly routes: CompiledRoute[] = routes().map(r => ({ ...r, match: compileTemplate(r.template) }));
  private clockOffset = 0;
  private readonly ghesVersion: string | null;
  private requestSeq = 0;
  private gate: { promise: Promise<void>; release: () => void } | null = null;
  private held = 0;
  private heldWaiters: Array<{ count: number; resolve: () => void }> = [];
  private readonly initialSeed: SimulatorSeed;

  constructor(private readonly options: GitHubSimulatorOptions) {
    this.ghesVersion = options.ghesVersion ?? null;
    this.initialSeed = options.seed === 'demo' ? demoSeed() : (options.seed ?? {});
    this.control = this.makeControl();
  }

  private now = () => (this.options.clock ?? Date.now)() + this.clockOffset;

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${hostPart}:${address.port}`;
    this.apiUrl = this.ghesVersion ? `${this.url}${GHES_PREFIX}` : this.url;
    this.urls = { api: this.apiUrl, html: (this.options.htmlBaseUrl ?? this.url).replace(/\/$/, '') };
    this.resetState();
  }

  close(): Promise<void> {
    this.gate?.release();
    return new Promise((resolve, reject) => {
      this.server.close(err => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private resetState(): void {
    const epoch = Date.parse(this.options.seedEpoch ?? '2025-06-02T09:00:00Z');
    this.state = new SimState(
      this.now,
      epoch,
      { jobHtmlUrl: (run, job) => jobHtmlUrl(run, job, this.urls) },
      this.options.runListingLag ?? 0,
    );
    this.state.applySeed(this.initialSeed);
    this.limiter = new RateLimiter(this.options.rateLimit, this.options.secondaryRateLimit, this.now);
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);

    if (requestUrl.pathname === '/_simulator' || requestUrl.pathname.startsWith('/_simulator/')) {
      return this.handleControl(method, requestUrl, rawBody, res);
    }

    let path = requestUrl.pathname;
    let served = !this.ghesVersion || this.options.serveRootInGhesMode === true;
    if (this.ghesVersion && (path === GHES_PREFIX || path.startsWith(`${GHES_PREFIX}/`))) {
      path = path.slice(GHES_PREFIX.length) || '/';
      served = true;
    }
    if (!served) {
      if (method === 'GET' && this.servePage(requestUrl.pathname, res)) return;
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not Found');
      return;
    }
    if (method === 'GET' && !this.ghesVersion && !this.matchRoute('GET', path) && this.servePage(path, res)) return;
    if (this.options.responseLatencyMs) await delay(this.options.responseLatencyMs);

    const requestId = this.nextRequestId();
    const baseHeaders: Record<string, string> = {
      'x-github-request-id': requestId,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': DEFAULT_API_VERSION,
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, Accept, X-Requested-With',
      'access-control-allow-origin': '*',
      ...(this.ghesVersion
        ? { 'x-github-enterprise-version': `${this.ghesVersion}${this.ghesVersion.split('.').length < 3 ? '.0' : ''}` }
        : {}),
    };

    // Authentication.
    const auth = this.authenticate(req.headers.authorization, path);
    if ('error' in auth) {
      const anon = this.anonymous();
      this.limiter.consume(anon.label, anon.limit);
      this.send(
        res,
        auth.status,
        { message: auth.error, documentation_url: DOCS, status: String(auth.status) },
        {
          ...baseHeaders,
          ...this.limiter.headers(anon.label, anon.limit),
        },
      );
      const tried = this.matchRoute(method, path);
      this.counters.record({
        method,
        path,
        endpoint: tried ? `${method} ${tried.route.template}` : null,
        identity: anon.label,
        status: auth.status,
        metered: true,
        token: null,
        outcome: 'metered',
      });
      return;
    }
    const identity = auth.identity;
    const matched = this.matchRoute(method, path);
    const endpoint = matched ? `${method} ${matched.route.template}` : null;
    const record = (status: number, outcome: 'metered' | 'not-modified' | 'primary' | 'secondary' | 'free') =>
      this.counters.record({
        method,
        path,
        endpoint,
        identity: identity.label,
        status,
        metered: outcome === 'metered',
        token: identity.token,
        outcome,
      });

    // API version.
    const versionHeader = headerValue(req.headers['x-github-api-version']);
    const apiVersion = versionHeader ?? DEFAULT_API_VERSION;
    const supported = this.ghesVersion ? [DEFAULT_API_VERSION] : DOTCOM_API_VERSIONS;
    if (!supported.includes(apiVersion)) {
      this.limiter.consume(identity.label, identity.limit);
      this.sendError(
        res,
        new HttpError(
          400,
          `Unsupported 'X-GitHub-Api-Version' header. Supported versions are: ${supported.join(', ')}`,
        ),
        baseHeaders,
        identity,
      );
      record(400, 'metered');
      return;
    }
    baseHeaders['x-github-api-version-selected'] = apiVersion;

    // Secondary limit: concurrency.
    const slot = this.limiter.enter(identity.label);
    if (!slot.ok) {
      this.sendSecondary(res, slot.retryAfter, requestId, baseHeaders, identity);
      record(this.limiter.secondary.status, 'secondary');
      return;
    }
    try {
      if (this.gate) await this.park();

      if (!matched) {
        this.limiter.consume(identity.label, identity.limit);
        this.sendError(res, new HttpError(404, 'Not Found'), baseHeaders, identity);
        record(404, 'metered');
        return;
      }

      const decision = this.limiter.check(identity.label, identity.limit, method, matched.route.primaryExempt === true);
      if (!decision.ok) {
        if (decision.kind === 'secondary') {
          this.sendSecondary(res, decision.retryAfter, requestId, baseHeaders, identity);
          record(this.limiter.secondary.status, 'secondary');
        } else {
          const who =
            identity.kind === 'user'
              ? `user ID ${identity.user.id}`
              : identity.kind === 'installation'
                ? `installation ID ${identity.rec.installation.id}`
                : identity.kind === 'app'
                  ? `integration ID ${identity.app.id}`
                  : `${req.socket.remoteAddress ?? '127.0.0.1'}`;
          // GitHub's wording: anonymous callers are told to authenticate; authenticated
          // ones get the request id and timestamp to quote to GitHub Support.
          const suffix =
            identity.kind === 'anonymous'
              ? " (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
              : ` If you reach out to GitHub Support for help, please include the request ID ${requestId} and timestamp ${supportTimestamp(this.now())}.`;
          const status = this.limiter.primary.status;
          this.sendError(
            res,
            new HttpError(status, `API rate limit exceeded for ${who}.${suffix}`, {
              documentationUrl: RATE_LIMIT_DOCS,
              headers: decision.retryAfter !== null ? { 'retry-after': String(decision.retryAfter) } : {},
            }),
            baseHeaders,
            identity,
          );
          record(status, 'primary');
        }
        return;
      }

      let body: unknown;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          this.limiter.consume(identity.label, identity.limit);
          this.sendError(res, new HttpError(400, 'Problems parsing JSON'), baseHeaders, identity);
          record(400, 'metered');
          return;
        }
      }

      const ctx: Ctx = {
        method,
        params: matched.params,
        query: requestUrl.searchParams,
        body,
        headers: req.headers,
        identity,
        state: this.state,
        urls: this.urls,
        apiVersion,
        ghesVersion: this.ghesVersion,
        requestUrl,
        rateLimit: () => this.limiter.snapshot(identity.label, identity.limit),
      };

      let result: Result;
      try {
        result = matched.route.handler(ctx);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        if (!matched.route.primaryExempt) this.limiter.consume(identity.label, identity.limit);
        this.sendError(res, error, baseHeaders, identity);
        record(error.status, matched.route.primaryExempt ? 'free' : 'metered');
        return;
      }

      const payload = result.raw ? result.raw.text : result.body === undefined ? '' : JSON.stringify(result.body);
      const headers: Record<string, string> = { ...baseHeaders, ...(result.headers ?? {}) };
      if (method === 'GET' && result.status === 200) {
        const etag = `W/"${createHash('sha256').update(payload).digest('hex')}"`;
        headers.etag = etag;
        headers['cache-control'] = 'private, max-age=60, s-maxage=60';
        if (etagMatches(headerValue(req.headers['if-none-match']), etag)) {
          // A 304 does not count against the primary rate limit.
          res.writeHead(304, { ...headers, ...this.limiter.headers(identity.label, identity.limit) });
          res.end();
          record(304, 'not-modified');
          return;
        }
      } else {
        headers['cache-control'] = 'no-cache';
      }
      if (!matched.route.primaryExempt) this.limiter.consume(identity.label, identity.limit);
      Object.assign(headers, this.limiter.headers(identity.label, identity.limit));
      if (result.raw) {
        headers['content-type'] = result.raw.contentType;
        res.writeHead(result.status, headers);
        res.end(payload);
      } else if (result.body === undefined) {
        res.writeHead(result.status, headers);
        res.end();
      } else {
        headers['content-type'] = 'application/json; charset=utf-8';
        res.writeHead(result.status, headers);
        res.end(payload);
      }
      record(result.status, matched.route.primaryExempt ? 'free' : 'metered');
    } finally {
      slot.leave();
    }
  }

  private matchRoute(
    method: string,
    path: string,
  ): { route: CompiledRoute; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = route.match(path);
      if (params) return { route, params };
    }
    return undefined;
  }

  private nextRequestId(): string {
    this.requestSeq += 1;
    return `5100:${this.requestSeq.toString(16).toUpperCase().padStart(6, '0')}:SIM`;
  }

  private anonymous(): Identity {
    return { kind: 'anonymous', label: 'anonymous', token: null, limit: this.limiter.primary.anonymousLimit };
  }

  private authenticate(
    header: string | undefined,
    path: string,
  ): { identity: Identity } | { error: string; status: number } {
    if (!header) return { identity: this.anonymous() };
    const m = /^(bearer|token)\s+(\S+)\s*$/i.exec(header) ?? null;
    let token: string | undefined = m?.[2];
    if (!token) {
      const basic = /^basic\s+(\S+)$/i.exec(header)?.[1];
      if (basic) token = Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') || undefined;
    }
    if (!token) return { error: 'Bad credentials', status: 401 };
    const user = this.state.tokens.get(token);
    if (user) {
      return {
        identity: { kind: 'user', label: user.login, token, user, limit: user.rateLimit ?? this.limiter.primary.limit },
      };
    }
    const inst = this.state.installationTokens.get(token);
    if (inst) {
      if (inst.expiresAt <= this.now()) return { error: 'Bad credentials', status: 401 };
      return {
        identity: {
          kind: 'installation',
          label: `installation:${inst.installation.id}`,
          token,
          rec: inst,
          limit: inst.installation.rateLimit ?? this.limiter.primary.installationLimit,
        },
      };
    }
    if (looksLikeJwt(token)) {
      const verdict = verifyAppJwt(
        token,
        iss => this.state.apps.get(Number(iss))?.publicKey,
        Math.floor(this.now() / 1000),
      );
      if (verdict.ok) {
        const app = this.state.apps.get(Number(verdict.claims.iss));
        if (app) {
          return {
            identity: {
              kind: 'app',
              label: `app:${app.id}`,
              token,
              app,
              limit: this.limiter.primary.installationLimit,
            },
          };
        }
      } else if (path.startsWith('/app')) {
        return { error: verdict.message, status: 401 };
      }
    }
    return { error: 'Bad credentials', status: 401 };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
    });
    res.end(JSON.stringify(body));
  }

  private sendError(
    res: ServerResponse,
    error: HttpError,
    baseHeaders: Record<string, string>,
    identity: Identity,
  ): void {
    const body: Record<string, unknown> = {
      message: error.message,
      documentation_url: error.documentationUrl ?? DOCS,
    };
    // `basic-error` (GitHub's description of 4xx/5xx bodies) has a string `status`;
    // `validation-error` (every 422) does not, so 422 bodies leave it out.
    if (error.status !== 422) body.status = String(error.status);
    if (error.errors) body.errors = error.errors;
    this.send(res, error.status, body, {
      ...baseHeaders,
      ...this.limiter.headers(identity.label, identity.limit),
      ...error.headers,
    });
  }

  private sendSecondary(
    res: ServerResponse,
    retryAfter: number,
    requestId: string,
    baseHeaders: Record<string, string>,
    identity: Identity,
  ): void {
    const status = this.limiter.secondary.status;
    this.sendError(
      res,
      new HttpError(
        status,
        `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
        { documentationUrl: SECONDARY_DOCS, headers: { 'retry-after': String(retryAfter) } },
      ),
      baseHeaders,
      identity,
    );
  }

  private park(): Promise<void> {
    const gate = this.gate;
    if (!gate) return Promise.resolve();
    this.held += 1;
    for (const waiter of [...this.heldWaiters]) {
      if (this.held >= waiter.count) {
        this.heldWaiters.splice(this.heldWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    return gate.promise.finally(() => {
      this.held -= 1;
    });
  }

  /** Minimal web pages for the html_url links (run and job pages). */
  private servePage(path: string, res: ServerResponse): boolean {
    const m = /^\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)(?:\/job\/(\d+))?\/?$/.exec(path);
    if (!m?.[1] || !m[2] || !m[3]) return false;
    const repo = this.state.repo(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    const run = repo ? this.state.runs.get(Number(m[3])) : undefined;
    if (!run || run.repo !== repo) return false;
    const esc = (s: string) => s.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`);
    const rows = run.jobs
      .map(
        j =>
          `<li>${esc(j.name)}${j.environment ? ` → ${esc(j.environment)}` : ''}: ${j.status}${j.conclusion ? ` (${j.conclusion})` : ''}</li>`,
      )
      .join('');
    const html = `<!doctype html><meta charset="utf-8"><title>${esc(run.displayTitle)}</title><h1>${esc(run.displayTitle)}</h1><p>${esc(run.repo.owner.login)}/${esc(run.repo.name)} · ${esc(run.workflow.name)} #${run.runNumber} · ${run.status}${run.conclusion ? ` (${run.conclusion})` : ''} · ${esc(run.headBranch)} @ ${run.headSha.slice(0, 7)} · by ${esc(run.actor.login)}</p><ul>${rows}</ul>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
    return true;
  }

  // ---------------------------------------------------------------- control

  private snapshot(run: RunRec): RunSnapshot {
    return {
      id: run.id,
      repo: `${run.repo.owner.login}/${run.repo.name}`,
      workflowId: run.workflow.id,
      workflowPath: run.workflow.path,
      runNumber: run.runNumber,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      headBranch: run.headBranch,
      headSha: run.headSha,
      actor: run.actor.login,
      inputs: { ...run.inputs },
      displayTitle: run.displayTitle,
      createdAt: run.createdAt,
      jobs: run.jobs.map(j => ({
        id: j.id,
        name: j.name,
        status: j.status,
        conclusion: j.conclusion,
        environment: j.environment,
        deploymentId: j.deploymentId,
      })),
      waitingFor: this.state.pendingJobs(run).map(j => j.environment ?? ''),
      url: `${this.urls.api}/repos/${run.repo.owner.login}/${run.repo.name}/actions/runs/${run.id}`,
      htmlUrl: runHtmlUrl(run, this.urls),
    };
  }

  private runOrThrow(runId: number): RunRec {
    const run = this.state.runs.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  }

  private makeControl(): SimulatorControl {
    const active = (runId?: number) =>
      runId === undefined
        ? [...this.state.runs.values()].filter(r => r.status !== 'completed')
        : [this.runOrThrow(runId)];
    const control: SimulatorControl = {
      seed: seed => this.state.applySeed(seed),
      reset: () => {
        this.clockOffset = 0;
        this.resetState();
        this.counters.reset();
      },
      dispatch: (o: DispatchOptions) => {
        const repo = this.state.repoByKey(o.repo);
        if (!repo) throw new Error(`no repo ${o.repo}`);
        const wf = this.state.workflow(repo, String(o.workflow));
        if (!wf) throw new Error(`no workflow ${o.workflow} in ${o.repo}`);
        const actor = o.actor
          ? this.state.user(o.actor)
          : ([...repo.collaborators.entries()]
              .filter(([, p]) => p === 'write' || p === 'maintain' || p === 'admin')
              .map(([login]) => this.state.user(login))[0] ?? repo.owner);
        if (!actor) throw new Error(`no user ${o.actor}`);
        try {
          return this.snapshot(this.state.dispatch(repo, wf, o.ref, o.inputs ?? {}, actor));
        } catch (error) {
          if (error instanceof HttpError) throw new Error(`dispatch refused (${error.status}): ${error.message}`);
          throw error;
        }
      },
      runs: repo =>
        [...this.state.runs.values()]
          .filter(r => !repo || `${r.repo.owner.login}/${r.repo.name}`.toLowerCase() === repo.toLowerCase())
          .sort((a, b) => a.id - b.id)
          .map(r => this.snapshot(r)),
      run: runId => {
        const run = this.state.runs.get(runId);
        return run ? this.snapshot(run) : undefined;
      },
      advance: runId => active(runId).map(run => (this.state.step(run), this.snapshot(run))),
      settle: runId =>
        active(runId).map(run => {
          for (let i = 0; i < 1000 && this.state.step(run); i += 1);
          return this.snapshot(run);
        }),
      failRun: (runId, o = {}) => {
        const run = this.runOrThrow(runId);
        this.state.forceFailure(run, o.job, o.conclusion ?? 'failure');
        return this.snapshot(run);
      },
      failNextRuns: (count = 1) => this.state.failNextRuns(count),
      cancelRun: runId => {
        const run = this.runOrThrow(runId);
        this.state.cancel(run);
        return this.snapshot(run);
      },
      review: (runId, o) => {
        const run = this.runOrThrow(runId);
        const pending = this.state.pendingJobs(run);
        const ids = pending
          .filter(j => !o.environments || o.environments.includes(j.environment ?? ''))
          .map(j => this.state.environment(run.repo, j.environment ?? '')?.id)
          .filter((id): id is number => id !== undefined);
        try {
          this.state.review(run, this.state.user(o.login), ids, o.state, o.comment ?? '');
        } catch (error) {
          if (error instanceof HttpError) throw new Error(`review refused (${error.status}): ${error.message}`);
          throw error;
        }
        return this.snapshot(run);
      },
      forceRateLimit: (o = {}) => this.limiter.force(o.identity),
      forceSecondaryRateLimit: (o = {}) =>
        this.limiter.forceSecondary(o.identity, o.requests ?? 1, o.retryAfterSeconds),
      clearRateLimits: () => this.limiter.clear(),
      rateLimit: identity => this.limiter.snapshot(identity, this.limitFor(identity)),
      meteredCalls: identity => {
        const c = this.counters.snapshot();
        return identity === undefined ? c.metered : (c.byIdentity[identity] ?? 0);
      },
      counters: () => this.counters.snapshot(),
      requestLog: () => this.counters.requestLog(),
      resetCounters: () => this.counters.reset(),
      hold: () => {
        if (!this.gate) {
          let release!: () => void;
          const promise = new Promise<void>(resolve => {
            release = resolve;
          });
          this.gate = { promise, release };
        }
        const gate = this.gate;
        return () => {
          if (this.gate === gate) this.gate = null;
          gate.release();
        };
      },
      heldRequests: () => this.held,
      waitForHeldRequests: count =>
        this.held >= count
          ? Promise.resolve()
          : new Promise<void>(resolve => this.heldWaiters.push({ count, resolve })),
      now: () => new Date(this.now()),
      tick: ms => {
        this.clockOffset += ms;
      },
    };
    return control;
  }

  private limitFor(identity: string): number {
    if (identity === 'anonymous') return this.limiter.primary.anonymousLimit;
    if (identity.startsWith('installation:')) {
      return (
        this.state.installation(Number(identity.slice('installation:'.length)))?.rateLimit ??
        this.limiter.primary.installationLimit
      );
    }
    if (identity.startsWith('app:')) return this.limiter.primary.installationLimit;
    return this.state.user(identity)?.rateLimit ?? this.limiter.primary.limit;
  }

  private handleControl(method: string, url: URL, rawBody: Buffer, res: ServerResponse): void {
    const reply = (status: number, body?: unknown) => {
      if (body === undefined) {
        res.writeHead(status);
        res.end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(JSON.stringify(body, null, 2));
    };
    let body: Record<string, unknown> = {};
    try {
      body = rawBody.length ? (JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      reply(400, { message: 'Problems parsing JSON' });
      return;
    }
    const c = this.control;
    const path = url.pathname.replace(/\/$/, '');
    const num = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));
    const runMatch = /^\/_simulator\/runs\/(\d+)(?:\/(fail|cancel|review))?$/.exec(path);
    try {
      if (method === 'GET' && path === '/_simulator') {
        return reply(200, {
          url: this.url,
          apiUrl: this.apiUrl,
          ghesVersion: this.ghesVersion,
          users: [...this.state.users.values()]
            .filter(u => u.tokens.length)
            .map(u => ({ login: u.login, tokens: u.tokens })),
          repos: [...this.state.repos.values()].map(r => `${r.owner.login}/${r.name}`),
          endpoints: CONTROL_ENDPOINTS,
        });
      }
      if (method === 'GET' && path === '/_simulator/runs')
        return reply(200, c.runs(url.searchParams.get('repo') ?? undefined));
      if (method === 'POST' && path === '/_simulator/runs/advance') return reply(200, c.advance(num(body.runId)));
      if (method === 'POST' && path === '/_simulator/runs/settle') return reply(200, c.settle(num(body.runId)));
      if (method === 'POST' && path === '/_simulator/dispatch')
        return reply(200, c.dispatch(body as unknown as DispatchOptions));
      if (method === 'POST' && path === '/_simulator/fail-next')
        return reply(204, c.failNextRuns(num(body.count) ?? 1));
      if (runMatch?.[1]) {
        const runId = Number(runMatch[1]);
        if (method === 'GET' && !runMatch[2]) {
          const run = c.run(runId);
          return run ? reply(200, run) : reply(404, { message: 'Not Found' });
        }
        if (method === 'POST' && runMatch[2] === 'fail')
          return reply(200, c.failRun(runId, body as { job?: string; conclusion?: 'failure' | 'timed_out' }));
        if (method === 'POST' && runMatch[2] === 'cancel') return reply(200, c.cancelRun(runId));
        if (method === 'POST' && runMatch[2] === 'review') {
          return reply(
            200,
            c.review(
              runId,
              body as { login: string; state: 'approved' | 'rejected'; comment?: string; environments?: string[] },
            ),
          );
        }
      }
      if (method === 'GET' && path === '/_simulator/counters') return reply(200, c.counters());
      if (method === 'POST' && path === '/_simulator/counters/reset') return reply(204, c.resetCounters());
      if (method === 'GET' && path === '/_simulator/requests') return reply(200, c.requestLog());
      if (method === 'POST' && path === '/_simulator/rate-limit')
        return reply(204, c.forceRateLimit(body as { identity?: string }));
      if (method === 'POST' && path === '/_simulator/rate-limit/clear') return reply(204, c.clearRateLimits());
      if (method === 'POST' && path === '/_simulator/secondary-rate-limit') {
        return reply(
          204,
          c.forceSecondaryRateLimit(body as { identity?: string; requests?: number; retryAfterSeconds?: number }),
        );
      }
      if (method === 'GET' && path.startsWith('/_simulator/rate-limit/')) {
        return reply(200, c.rateLimit(decodeURIComponent(path.slice('/_simulator/rate-limit/'.length))));
      }
      if (method === 'POST' && path === '/_simulator/seed') return reply(204, c.seed(body as SimulatorSeed));
      if (method === 'POST' && path === '/_simulator/reset') return reply(204, c.reset());
      if (method === 'POST' && path === '/_simulator/tick')
        return reply(200, (c.tick(num(body.ms) ?? 0), { now: c.now().toISOString() }));
      if (method === 'GET' && path === '/_simulator/time') return reply(200, { now: c.now().toISOString() });
      reply(404, { message: 'Not Found', endpoints: CONTROL_ENDPOINTS });
    } catch (error) {
      reply(400, { message: error instanceof Error ? error.message : String(error) });
    }
  }
}

export const CONTROL_ENDPOINTS = [
  'GET  /_simulator                      users, tokens, repos',
  'GET  /_simulator/runs?repo=o/r        run snapshots',
  'GET  /_simulator/runs/{id}',
  'POST /_simulator/runs/advance         {"runId"?}  one step for one or every active run',
  'POST /_simulator/runs/settle          {"runId"?}  step until completed or waiting for review',
  'POST /_simulator/runs/{id}/fail       {"job"?, "conclusion"?}',
  'POST /_simulator/runs/{id}/cancel',
  'POST /_simulator/runs/{id}/review     {"login", "state": "approved"|"rejected", "comment"?}',
  'POST /_simulator/dispatch             {"repo", "workflow", "ref", "inputs"?, "actor"?}',
  'POST /_simulator/fail-next            {"count"?}',
  'GET  /_simulator/counters             metered calls (total, byIdentity, byToken, byEndpoint)',
  'POST /_simulator/counters/reset',
  'GET  /_simulator/requests             request log',
  'POST /_simulator/rate-limit           {"identity"?}  exhaust the primary limit',
  'POST /_simulator/secondary-rate-limit {"identity"?, "requests"?, "retryAfterSeconds"?}',
  'POST /_simulator/rate-limit/clear',
  'GET  /_simulator/rate-limit/{identity}',
  'POST /_simulator/seed                 SimulatorSeed JSON',
  'POST /_simulator/reset',
  'POST /_simulator/tick                 {"ms"}  move the clock',
  'GET  /_simulator/time',
];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `2025-05-02 07:12:28 UTC`, as GitHub prints it in rate-limit messages. */
const supportTimestamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Weak comparison, as for If-None-Match; accepts lists and `*`. */
function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some(candidate => candidate.trim() === '*' || opaque(candidate) === opaque(etag));
}

export { compareVersions };
