/**
 * The jira plugin in a real Backstage test backend (real service-token auth and
 * workspace isolation) against the Jira simulator.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestBackend } from '@backstage/backend-test-utils';
import workspaceIsolationPlugin, { workspaceContextServiceFactory } from '@internal/plugin-workspace-isolation-backend';
import {
  LogCollector,
  orbitTestServices,
  randomServiceToken,
} from '@internal/plugin-workspace-isolation-backend/testUtils';
import {
  createJiraSimulator,
  DEMO_JIRA_ACCOUNTS,
  DEMO_JIRA_CREDENTIALS,
  type JiraSimulator,
} from '@orbit-idp/jira-simulator';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jiraPlugin } from './plugin';

const TIMEOUT_MS = 1500;

describe('jira plugin', () => {
  const token = randomServiceToken();
  const auth = { Authorization: `Bearer ${token}` };
  const logs = new LogCollector();
  let jira: JiraSimulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  /** Every API token a test sent: none may show up in a response or a log line. */
  const secretsSent = new Set<string>();

  beforeAll(async () => {
    jira = await createJiraSimulator();
    backend = await startTestBackend({
      features: [
        ...orbitTestServices({
          token,
          pluginIds: ['jira', 'workspace-isolation'],
          logs,
          extraConfig: { orbit: { jira: { timeoutMs: TIMEOUT_MS } } },
        }),
        workspaceContextServiceFactory,
        workspaceIsolationPlugin,
        jiraPlugin,
      ],
    });
    server = backend.server;
  });

  afterAll(async () => {
    await backend?.stop();
    await jira?.close();
  });

  beforeEach(() => {
    jira.control.reset();
  });

  /** X-Orbit-Plugin-Config as the gateway sends it. */
  function pluginConfig(settings: { base_url?: string; email?: string; api_token?: string }): string {
    const { api_token: apiToken, ...config } = settings;
    if (apiToken) secretsSent.add(apiToken);
    const secrets = apiToken === undefined ? {} : { api_token: apiToken };
    return Buffer.from(JSON.stringify({ config, secrets })).toString('base64url');
  }

  const demoSettings = () => ({
    base_url: jira.url,
    email: DEMO_JIRA_CREDENTIALS.email,
    api_token: DEMO_JIRA_CREDENTIALS.apiToken,
  });

  function issues(
    query: string,
    settings: Parameters<typeof pluginConfig>[0] | null = demoSettings(),
    workspace = 'ws-jira',
  ) {
    const req = request(server).get(`/api/jira/issues${query}`).set(auth).set('X-Orbit-Workspace-Id', workspace);
    return settings ? req.set('X-Orbit-Plugin-Config', pluginConfig(settings)) : req;
  }

  /** The JQL of the last search the simulator received. */
  const lastJql = () => new URL(`http://x${jira.control.requestLog().at(-1)?.url ?? ''}`).searchParams.get('jql');

  const expectBackstageError = (res: request.Response, status: number, name: string) => {
    expect(res.status, res.text).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.name).toBe(name);
    expect(res.body.response).toEqual({ statusCode: status });
  };

  describe('GET /issues', () => {
    it("lists a project's issues newest first, in the plugin's shape", async () => {
      const res = await issues('?projectKey=OPS');
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        issues: [
          {
            key: 'OPS-6',
            summary: 'Clean up unused staging databases',
            status: 'To Do',
            assignee: null,
            createdAt: '2026-02-15T11:11:11Z',
          },
          {
            key: 'OPS-5',
            summary: 'Raise the API gateway timeout to 30 s',
            status: 'To Do',
            assignee: 'Grace Hopper',
            createdAt: '2026-02-09T10:00:00Z',
          },
          {
            key: 'OPS-4',
            summary: 'Runbook for rolling back checkout',
            status: 'In Review',
            assignee: 'Grace Hopper',
            createdAt: '2026-02-02T16:20:00Z',
          },
          {
            key: 'OPS-3',
            summary: 'Alert when a deployment waits for approval over an hour',
            status: 'To Do',
            assignee: null,
            createdAt: '2026-01-20T08:45:30Z',
          },
          {
            key: 'OPS-2',
            summary: 'Move staging to the new cluster',
            status: 'In Progress',
            assignee: 'Ada Lovelace',
            createdAt: '2026-01-12T14:02:11Z',
          },
          {
            key: 'OPS-1',
            summary: 'Rotate the payment gateway keys',
            status: 'Done',
            assignee: 'Ada Lovelace',
            createdAt: '2026-01-05T09:15:00Z',
          },
        ],
      });
      expect(lastJql()).toBe('project = "OPS" ORDER BY created DESC');
      const [entry] = jira.control.requestLog();
      expect(entry?.account).toBe(DEMO_JIRA_CREDENTIALS.email);
      expect(entry?.url).toContain('fields=summary%2Cstatus%2Cassignee%2Ccreated');
      expect(entry?.url).toContain('maxResults=50');
    });

    it('filters by status and accepts a lower-case project key', async () => {
      const res = await issues(`?projectKey=pay&status=${encodeURIComponent('In Review')}`);
      expect(res.status).toBe(200);
      expect(res.body.issues.map((i: { key: string }) => i.key)).toEqual(['PAY-4']);
      expect(lastJql()).toBe('project = "PAY" AND status = "In Review" ORDER BY created DESC');
    });

    it('converts Jira timestamps with an offset to RFC 3339 UTC', async () => {
      // Grace's time zone is UTC+1: Jira answers "…T12:11:11.000+0100".
      const grace = {
        base_url: jira.url,
        email: DEMO_JIRA_ACCOUNTS.grace.email,
        api_token: DEMO_JIRA_ACCOUNTS.grace.apiToken,
      };
      const res = await issues('?projectKey=OPS', grace);
      expect(res.body.issues[0]).toMatchObject({ key: 'OPS-6', createdAt: '2026-02-15T11:11:11Z' });
    });

    it("uses each workspace's own Jira credentials", async () => {
      const grace = {
        base_url: jira.url,
        email: DEMO_JIRA_ACCOUNTS.grace.email,
        api_token: DEMO_JIRA_ACCOUNTS.grace.apiToken,
      };
      const asGrace = await issues('?projectKey=SEC', grace, 'ws-security');
      expect(asGrace.status).toBe(200);
      expect(asGrace.body.issues).toHaveLength(2);
      const asBot = await issues('?projectKey=SEC', demoSettings(), 'ws-ops');
      expectBackstageError(asBot, 404, 'NotFoundError');
      expect(jira.control.requestLog().map(e => e.account)).toEqual([
        DEMO_JIRA_ACCOUNTS.grace.email,
        DEMO_JIRA_CREDENTIALS.email,
      ]);
    });

    it('quotes the status safely inside the JQL and reports the status Jira does not know as 400', async () => {
      const res = await issues(`?projectKey=OPS&status=${encodeURIComponent('Won\'t "Do" \\ now')}`);
      expectBackstageError(res, 400, 'InputError');
      expect(res.body.error.message).toBe(
        "Jira rejected the search: The value 'Won't \"Do\" \\ now' does not exist for the field 'status'.",
      );
      expect(lastJql()).toBe('project = "OPS" AND status = "Won\'t \\"Do\\" \\\\ now" ORDER BY created DESC');
    });

    it.each([
      ['', 'projectKey is required'],
      ['?projectKey=', 'projectKey is required'],
      ['?projectKey=OPS-1', 'projectKey must be a Jira project key'],
      ['?projectKey=1OPS', 'projectKey must be a Jira project key'],
      ['?projectKey=O', 'projectKey must be a Jira project key'],
      ['?projectKey=OPS%22%20OR%20project%20%3D%20%22SEC', 'projectKey must be a Jira project key'],
      ['?projectKey=OPS&projectKey=PAY', 'projectKey must be given once'],
      [`?projectKey=OPS&status=${'x'.repeat(256)}`, 'status must be a Jira status name'],
      ['?projectKey=OPS&status=a%0Ab', 'status must be a Jira status name'],
    ])('rejects %j with 400 without calling Jira', async (query, message) => {
      const res = await issues(query);
      expectBackstageError(res, 400, 'InputError');
      expect(res.body.error.message).toContain(message);
      expect(jira.control.requestLog()).toEqual([]);
    });
  });

  describe('workspace configuration', () => {
    it.each([
      [null, 'the workspace has not configured Jira (missing: base_url, email, api_token)'],
      [
        { base_url: 'https://acme.atlassian.net', email: 'a@b.c' },
        'the workspace has not configured Jira (missing: api_token)',
      ],
      [
        { email: 'a@b.c', api_token: 'ATATT3xSecretMissingBase' },
        'the workspace has not configured Jira (missing: base_url)',
      ],
      [
        { base_url: 'acme.atlassian.net', email: 'a@b.c', api_token: 'ATATT3xSecretBadUrl' },
        'the workspace has not configured Jira: base_url is not a URL',
      ],
      [
        { base_url: 'ftp://acme.example', email: 'a@b.c', api_token: 'ATATT3xSecretFtp' },
        'the workspace has not configured Jira: base_url must be an http(s) URL',
      ],
      [
        { base_url: 'https://bob:hunter2@acme.example', email: 'a@b.c', api_token: 'ATATT3xSecretUserinfo' },
        'the workspace has not configured Jira: base_url must not contain credentials',
      ],
    ])("answers 412 in Backstage's error shape for %j", async (settings, message) => {
      const res = await issues('?projectKey=OPS', settings);
      expectBackstageError(res, 412, 'JiraNotConfiguredError');
      expect(res.body.error.message).toBe(message);
      expect(res.body.request).toEqual({ method: 'GET', url: '/api/jira/issues?projectKey=OPS' });
      expect(res.text).not.toContain('hunter2');
      expect(jira.control.requestLog()).toEqual([]);
    });

    it('accepts a base_url with a trailing slash', async () => {
      const res = await issues('?projectKey=PAY', { ...demoSettings(), base_url: `${jira.url}/` });
      expect(res.status).toBe(200);
      expect(res.body.issues).toHaveLength(4);
    });
  });

  describe("Jira's failures", () => {
    it('wrong credentials (401) become 403 NotAllowedError', async () => {
      const res = await issues('?projectKey=OPS', { ...demoSettings(), api_token: 'ATATT3xWrongTokenValue42' });
      expectBackstageError(res, 403, 'NotAllowedError');
      expect(res.body.error.message).toMatch(/rejected the workspace's credentials/);
    });

    it('a 403 from Jira becomes 403 NotAllowedError', async () => {
      jira.control.failNext(403);
      expectBackstageError(await issues('?projectKey=OPS'), 403, 'NotAllowedError');
    });

    it('an unknown project becomes 404 NotFoundError', async () => {
      const res = await issues('?projectKey=NOPE');
      expectBackstageError(res, 404, 'NotFoundError');
      expect(res.body.error.message).toBe(
        "Jira project NOPE does not exist or the workspace's Jira account cannot see it",
      );
    });

    it('a base_url that is not a Jira site (404) becomes 404 NotFoundError', async () => {
      const res = await issues('?projectKey=OPS', { ...demoSettings(), base_url: `${jira.url}/wiki` });
      expectBackstageError(res, 404, 'NotFoundError');
      expect(res.body.error.message).toMatch(/check the workspace's Jira base_url/);
    });

    it("a rate limit becomes 429 with Jira's Retry-After, or 60 s when Jira gives none", async () => {
      jira.control.failNext(429, { retryAfterSeconds: 17 });
      const limited = await issues('?projectKey=OPS');
      expectBackstageError(limited, 429, 'JiraRateLimitError');
      expect(limited.headers['retry-after']).toBe('17');

      jira.control.failNext(429);
      const unspecified = await issues('?projectKey=OPS');
      expect(unspecified.status).toBe(429);
      expect(unspecified.headers['retry-after']).toBe('60');
    });

    it.each([500, 502, 503])('a %i from Jira becomes 503 ServiceUnavailableError', async status => {
      jira.control.failNext(status);
      const res = await issues('?projectKey=OPS');
      expectBackstageError(res, 503, 'ServiceUnavailableError');
      expect(res.body.error.message).toBe(`Jira at ${new URL(jira.url).host} answered ${status}`);
    });

    it('an unreachable Jira becomes 503', async () => {
      const closed = createServer();
      await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', () => resolve()));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>(resolve => closed.close(() => resolve()));
      const res = await issues('?projectKey=OPS', { ...demoSettings(), base_url: `http://127.0.0.1:${port}` });
      expectBackstageError(res, 503, 'ServiceUnavailableError');
      expect(res.body.error.message).toBe(`Jira at 127.0.0.1:${port} could not be reached`);
    });

    it('a Jira that does not answer in time becomes 503', async () => {
      const release = jira.control.hold();
      try {
        const res = await issues('?projectKey=OPS');
        expectBackstageError(res, 503, 'ServiceUnavailableError');
        expect(res.body.error.message).toBe(`Jira at ${new URL(jira.url).host} did not answer within ${TIMEOUT_MS} ms`);
      } finally {
        release();
      }
    });
  });

  describe('isolation and secrets', () => {
    it('refuses requests without a workspace (400) or without the service token (401)', async () => {
      const noWorkspace = await request(server)
        .get('/api/jira/issues?projectKey=OPS')
        .set(auth)
        .set('X-Orbit-Plugin-Config', pluginConfig(demoSettings()));
      expectBackstageError(noWorkspace, 400, 'InputError');
      const noToken = await request(server)
        .get('/api/jira/issues?projectKey=OPS')
        .set('X-Orbit-Workspace-Id', 'ws-jira');
      expect(noToken.status).toBe(401);
      expect(jira.control.requestLog()).toEqual([]);
    });

    it('never puts an API token in a response or a log line', async () => {
      // Every test above sent its tokens; some answers were errors logged at warn or error level.
      expect(secretsSent.size).toBeGreaterThan(5);
      const dump = logs.dump();
      expect(dump).toContain('Jira search at');
      for (const secret of secretsSent) expect(dump).not.toContain(secret);
      for (const status of [401, 429, 503]) {
        jira.control.failNext(status);
        const res = await issues('?projectKey=OPS');
        for (const secret of secretsSent) {
          expect(res.text).not.toContain(secret);
          expect(JSON.stringify(res.headers)).not.toContain(secret);
        }
      }
    });
  });
});
