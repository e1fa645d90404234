import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JqlSyntaxError, parseJql } from './jql';
import { errorBody, issueObject, KNOWN_FIELDS, projectObject, userObject } from './render';
import { search } from './search';
import { demoJiraSeed } from './seed';
import { JiraState, type AccountRec } from './state';
import type {
  FailNextOptions,
  JiraRequestLogEntry,
  JiraSeed,
  JiraSimulator,
  JiraSimulatorControl,
  JiraSimulatorOptions,
} from './types';

const SEARCH_PATH = '/rest/api/3/search/jql';
const DEFAULT_MAX_RESULTS = 50;
/** The enhanced search returns up to 5000 issues when only ids are asked for, 100 otherwise. */
const MAX_RESULTS_IDS_ONLY = 5000;
const MAX_RESULTS_WITH_FIELDS = 100;
const LOG_MAX = 1000;

/** Jira's messages for the statuses `failNext` can inject. */
const FAILURE_MESSAGES: Record<number, string> = {
  401: 'Client must be authenticated to access this resource.',
  403: 'You do not have permission to access this resource.',
  404: 'Not Found',
  429: 'Rate limit exceeded.',
  500: 'Internal server error.',
  502: 'Bad gateway.',
  503: 'Service unavailable. Please try again later.',
};

export const JIRA_CONTROL_ENDPOINTS = [
  'GET  /_simulator                 accounts and projects',
  'GET  /_simulator/requests        request log',
  'POST /_simulator/fail-next       {"status", "count"?, "retryAfterSeconds"?}',
  'POST /_simulator/seed            JiraSeed JSON',
  'POST /_simulator/reset',
];

/** Starts a Jira Cloud REST simulator on 127.0.0.1 (port 0 by default). */
export async function createJiraSimulator(options: JiraSimulatorOptions = {}): Promise<JiraSimulator> {
  const sim = new Simulator(options.seed === undefined || options.seed === 'demo' ? demoJiraSeed() : options.seed);
  await sim.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return { url: sim.url, control: sim.control, close: () => sim.close() };
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Plain text/HTML instead of JSON. */
  text?: { body: string; contentType: string };
}

class Simulator {
  url = '';
  state = new JiraState();
  readonly control: JiraSimulatorControl;
  private failures: Array<{ status: number; retryAfterSeconds?: number }> = [];
  private log: JiraRequestLogEntry[] = [];
  private gate: { promise: Promise<void>; release: () => void } | null = null;
  private held = 0;
  private heldWaiters: Array<{ count: number; resolve: () => void }> = [];
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        this.write(res, {
          status: 500,
          body: errorBody([`Simulator error: ${error instanceof Error ? error.message : String(error)}`]),
        });
      else res.destroy();
    });
  });

  constructor(private readonly initialSeed: JiraSeed) {
    this.state.applySeed(initialSeed);
    this.control = this.makeControl();
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  close(): Promise<void> {
    this.gate?.release();
    return new Promise((resolve, reject) => {
      this.server.close(err => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (url.pathname === '/_simulator' || url.pathname.startsWith('/_simulator/')) {
      this.write(res, this.handleControl(method, url.pathname.replace(/\/$/, ''), raw));
      return;
    }
    if (this.gate) await this.park();
    const account = this.authenticate(req.headers.authorization);
    const reply = this.answer(method, url, raw, account);
    this.log.push({
      method,
      url: `${url.pathname}${url.search}`,
      account: account?.email ?? null,
      status: reply.status,
    });
    if (this.log.length > LOG_MAX) this.log.splice(0, this.log.length - LOG_MAX);
    this.write(res, reply);
  }

  private answer(method: string, url: URL, raw: string, account: AccountRec | undefined): Reply {
    const failure = this.failures.shift();
    if (failure) {
      return {
        status: failure.status,
        body: errorBody([FAILURE_MESSAGES[failure.status] ?? 'Request failed.']),
        headers: failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {},
      };
    }
    if (!url.pathname.startsWith('/rest/')) {
      // A base URL with a wrong path lands here: Jira's "dead link" page.
      return {
        status: 404,
        text: {
          body: "<!DOCTYPE html><title>Oops, you've found a dead link. - JIRA</title><h1>Oops, you've found a dead link.</h1>",
          contentType: 'text/html;charset=UTF-8',
        },
      };
    }
    if (!account) return { status: 401, body: errorBody([FAILURE_MESSAGES[401] ?? '']) };

    const path = url.pathname.replace(/\/$/, '');
    if (path === '/rest/api/3/search' || path === '/rest/api/2/search') {
      return {
        status: 410,
        body: errorBody([
          'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
        ]),
      };
    }
    if (path === '/rest/api/3/myself' && method === 'GET') return { status: 200, body: userObject(account, this.url) };
    if (path === SEARCH_PATH && (method === 'GET' || method === 'POST')) {
      const params = method === 'GET' ? fromQuery(url.searchParams) : fromBody(raw);
      return params
        ? this.search(account, params)
        : {
            status: 400,
            body: errorBody(['Invalid request payload. Refer to the REST API documentation and try again.']),
          };
    }
    const issueMatch = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(path);
    if (issueMatch && method === 'GET')
      return this.issue(account, decodeURIComponent(issueMatch[1]!), url.searchParams);
    const projectMatch = /^\/rest\/api\/3\/project\/([^/]+)$/.exec(path);
    if (projectMatch && method === 'GET') return this.project(account, decodeURIComponent(projectMatch[1]!));
    return { status: 404, body: errorBody(['null for uri: ' + `${this.url}${url.pathname}`]) };
  }

  /** GET /rest/api/3/issue/{issueIdOrKey} ("Get issue"): every field unless `fields` narrows them. */
  private issue(account: AccountRec, idOrKey: string, query: URLSearchParams): Reply {
    const wanted = query.get('fields');
    const issue = this.state
      .visibleProjects(account)
      .flatMap(project => project.issues)
      .find(candidate => candidate.key === idOrKey.toUpperCase() || String(candidate.id) === idOrKey);
    if (!issue)
      return { status: 404, body: errorBody(['Issue does not exist or you do not have permission to see it.']) };
    const fields = selectFields(wanted === null ? ['*all'] : wanted.split(','));
    return { status: 200, body: issueObject(issue, fields, account, this.url) };
  }

  /** GET /rest/api/3/project/{projectIdOrKey} ("Get project"). */
  private project(account: AccountRec, idOrKey: string): Reply {
    const project = this.state
      .visibleProjects(account)
      .find(candidate => candidate.key === idOrKey.toUpperCase() || String(candidate.id) === idOrKey);
    if (!project) return { status: 404, body: errorBody([`No project could be found with key '${idOrKey}'.`]) };
    return { status: 200, body: projectObject(project, this.url) };
  }

  private search(account: AccountRec, params: SearchParams): Reply {
    let query;
    try {
      query = parseJql(params.jql);
    } catch (error) {
      if (error instanceof JqlSyntaxError) return { status: 400, body: errorBody([error.message]) };
      throw error;
    }
    const outcome = search(this.state, account, query);
    if (!outcome.ok) return { status: 400, body: errorBody(outcome.errorMessages) };

    const fields = selectFields(params.fields);
    const cap = fields.size === 0 ? MAX_RESULTS_IDS_ONLY : MAX_RESULTS_WITH_FIELDS;
    const requested = params.maxResults ?? DEFAULT_MAX_RESULTS;
    if (!Number.isInteger(requested) || requested < 0) {
      return { status: 400, body: errorBody([`The value '${params.maxResults}' is invalid for 'maxResults'.`]) };
    }
    const pageSize = Math.min(requested, cap);
    let offset = 0;
    if (params.nextPageToken !== undefined) {
      const decoded = Number(
        Buffer.from(params.nextPageToken, 'base64url')
          .toString('utf8')
          .replace(/^offset:/, ''),
      );
      if (!Number.isInteger(decoded) || decoded < 0)
        return { status: 400, body: errorBody(['The provided next page token is invalid or expired.']) };
      offset = decoded;
    }
    const page = outcome.issues.slice(offset, offset + pageSize);
    const nextOffset = offset + page.length;
    const isLast = nextOffset >= outcome.issues.length;
    return {
      status: 200,
      body: {
        issues: page.map(issue => issueObject(issue, fields, account, this.url)),
        ...(isLast ? {} : { nextPageToken: Buffer.from(`offset:${nextOffset}`).toString('base64url') }),
        isLast,
      },
    };
  }

  private authenticate(header: string | undefined): AccountRec | undefined {
    const encoded = /^basic\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!encoded) return undefined;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return this.state.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  private write(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = {
      'x-arequestid': `sim-${Date.now().toString(36)}`,
      ...(reply.headers ?? {}),
    };
    if (reply.text) {
      res.writeHead(reply.status, { ...headers, 'content-type': reply.text.contentType });
      res.end(reply.text.body);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
    } else {
      res.writeHead(reply.status, { ...headers, 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(reply.body));
    }
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

  private makeControl(): JiraSimulatorControl {
    return {
      seed: seed => this.state.applySeed(seed),
      reset: () => {
        this.state = new JiraState();
        this.state.applySeed(this.initialSeed);
        this.failures = [];
        this.log = [];
        this.gate?.release();
        this.gate = null;
      },
      failNext: (status: number, options: FailNextOptions = {}) => {
        if (!Number.isInteger(status) || status < 400 || status > 599)
          throw new Error(`failNext needs a 4xx or 5xx status, got ${status}`);
        for (let i = 0; i < (options.count ?? 1); i += 1)
          this.failures.push({ status, retryAfterSeconds: options.retryAfterSeconds });
      },
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
      waitForHeldRequests: count =>
        this.held >= count
          ? Promise.resolve()
          : new Promise<void>(resolve => this.heldWaiters.push({ count, resolve })),
      requestLog: () => this.log.map(entry => ({ ...entry })),
    };
  }

  private handleControl(method: string, path: string, raw: string): Reply {
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return { status: 400, body: { message: 'Problems parsing JSON' } };
    }
    try {
      if (method === 'GET' && path === '/_simulator') {
        return {
          status: 200,
          body: {
            url: this.url,
            accounts: [...this.state.accounts.values()].map(a => ({
              email: a.email,
              apiTokens: a.apiTokens,
              displayName: a.displayName,
            })),
            projects: [...this.state.projects.values()].map(p => ({
              key: p.key,
              name: p.name,
              issues: p.issues.length,
            })),
            endpoints: JIRA_CONTROL_ENDPOINTS,
          },
        };
      }
      if (method === 'GET' && path === '/_simulator/requests') return { status: 200, body: this.control.requestLog() };
      if (method === 'POST' && path === '/_simulator/fail-next') {
        this.control.failNext(Number(body.status), {
          count: body.count === undefined ? undefined : Number(body.count),
          retryAfterSeconds: body.retryAfterSeconds === undefined ? undefined : Number(body.retryAfterSeconds),
        });
        return { status: 204 };
      }
      if (method === 'POST' && path === '/_simulator/seed') {
        this.control.seed(body as unknown as JiraSeed);
        return { status: 204 };
      }
      if (method === 'POST' && path === '/_simulator/reset') {
        this.control.reset();
        return { status: 204 };
      }
      return { status: 404, body: { message: 'Not Found', endpoints: JIRA_CONTROL_ENDPOINTS } };
    } catch (error) {
      return { status: 400, body: { message: error instanceof Error ? error.message : String(error) } };
    }
  }
}

interface SearchParams {
  jql: string;
  fields: string[];
  maxResults?: number;
  nextPageToken?: string;
}

function fromQuery(query: URLSearchParams): SearchParams {
  const max = query.get('maxResults');
  return {
    jql: query.get('jql') ?? '',
    fields: query.getAll('fields').flatMap(f => f.split(',')),
    maxResults: max === null ? undefined : Number(max),
    nextPageToken: query.get('nextPageToken') ?? undefined,
  };
}

function fromBody(raw: string): SearchParams | undefined {
  try {
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    if (body.fields !== undefined && !Array.isArray(body.fields)) return undefined;
    return {
      jql: typeof body.jql === 'string' ? body.jql : '',
      fields: ((body.fields as unknown[] | undefined) ?? []).map(String),
      maxResults: body.maxResults === undefined ? undefined : Number(body.maxResults),
      nextPageToken: typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined,
    };
  } catch {
    return undefined;
  }
}

/** `fields`: names, `*all` / `*navigable`, `-name` to leave one out; unknown names are ignored, as Jira does. */
function selectFields(requested: string[]): Set<string> {
  const selected = new Set<string>();
  for (const raw of requested.map(f => f.trim()).filter(Boolean)) {
    if (raw === '*all' || raw === '*navigable') KNOWN_FIELDS.forEach(f => selected.add(f));
    else if (raw.startsWith('-')) selected.delete(raw.slice(1));
    else if ((KNOWN_FIELDS as readonly string[]).includes(raw)) selected.add(raw);
  }
  return selected;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
