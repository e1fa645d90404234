/**
 * The Jira simulator over HTTP: enhanced JQL search with Basic auth, Jira's
 * response and error shapes, project visibility, paging, injected failures
 * and held requests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_JIRA_ACCOUNTS, DEMO_JIRA_CREDENTIALS } from './seed';
import { createJiraSimulator } from './server';
import type { JiraSimulator } from './types';

interface SearchBody {
  issues: Array<{
    id: string;
    key: string;
    self: string;
    fields: {
      summary?: string;
      status?: { name: string; id: string; statusCategory: { key: string } };
      assignee?: { displayName: string; emailAddress: string; accountId: string } | null;
      created?: string;
    };
  }>;
  isLast: boolean;
  nextPageToken?: string;
}

let sim: JiraSimulator;

beforeAll(async () => {
  sim = await createJiraSimulator();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(() => {
  sim.control.reset();
});

const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
const bot = basic(DEMO_JIRA_CREDENTIALS.email, DEMO_JIRA_CREDENTIALS.apiToken);

async function searchJql(
  jql: string,
  options: { auth?: string | null; fields?: string; maxResults?: number; nextPageToken?: string; path?: string } = {},
) {
  const query = new URLSearchParams({ jql });
  if (options.fields !== undefined) query.set('fields', options.fields);
  if (options.maxResults !== undefined) query.set('maxResults', String(options.maxResults));
  if (options.nextPageToken !== undefined) query.set('nextPageToken', options.nextPageToken);
  const auth = options.auth === undefined ? bot : options.auth;
  const response = await fetch(`${sim.url}${options.path ?? '/rest/api/3/search/jql'}?${query}`, {
    headers: { accept: 'application/json', ...(auth ? { authorization: auth } : {}) },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as unknown,
  };
}

const FIELDS = 'summary,status,assignee,created';

describe('GET /rest/api/3/search/jql', () => {
  it("answers the plugin's query with Jira's issue shape, newest first", async () => {
    const response = await searchJql('project = "OPS" ORDER BY created DESC', { fields: FIELDS, maxResults: 50 });
    expect(response.status).toBe(200);
    const body = response.body as SearchBody;
    expect(body.isLast).toBe(true);
    expect(body.nextPageToken).toBeUndefined();
    expect(body.issues.map(i => i.key)).toEqual(['OPS-6', 'OPS-5', 'OPS-4', 'OPS-3', 'OPS-2', 'OPS-1']);
    const [newest] = body.issues;
    expect(newest).toMatchObject({
      key: 'OPS-6',
      self: `${sim.url}/rest/api/3/issue/${newest?.id}`,
      fields: {
        summary: 'Clean up unused staging databases',
        status: { name: 'To Do', id: '10000', statusCategory: { key: 'new' } },
        assignee: null,
        created: '2026-02-15T11:11:11.000+0000',
      },
    });
    expect(body.issues.find(i => i.key === 'OPS-2')?.fields.assignee).toMatchObject({
      displayName: 'Ada Lovelace',
      emailAddress: 'ada@acme.example',
      accountId: expect.stringMatching(/^712020:/),
    });
  });

  it("filters by status, case-insensitively, and renders created in the caller's time zone", async () => {
    const grace = basic(DEMO_JIRA_ACCOUNTS.grace.email, DEMO_JIRA_ACCOUNTS.grace.apiToken);
    const response = await searchJql('project = "ops" AND status = "to do" ORDER BY created DESC', {
      fields: FIELDS,
      auth: grace,
    });
    const body = response.body as SearchBody;
    expect(body.issues.map(i => [i.key, i.fields.status?.name])).toEqual([
      ['OPS-6', 'To Do'],
      ['OPS-5', 'To Do'],
      ['OPS-3', 'To Do'],
    ]);
    expect(body.issues[0]?.fields.created).toBe('2026-02-15T12:11:11.000+0100');
  });

  it('returns only ids and keys when no fields are asked for', async () => {
    const body = (await searchJql('project = PAY')).body as SearchBody;
    expect(body.issues).toHaveLength(4);
    expect(body.issues[0]?.fields).toEqual({});
  });

  it('pages with nextPageToken until isLast', async () => {
    const first = (await searchJql('project = OPS ORDER BY key ASC', { fields: 'summary', maxResults: 4 }))
      .body as SearchBody;
    expect(first.issues.map(i => i.key)).toEqual(['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4']);
    expect(first.isLast).toBe(false);
    const second = (
      await searchJql('project = OPS ORDER BY key ASC', {
        fields: 'summary',
        maxResults: 4,
        nextPageToken: first.nextPageToken,
      })
    ).body as SearchBody;
    expect(second.issues.map(i => i.key)).toEqual(['OPS-5', 'OPS-6']);
    expect(second.isLast).toBe(true);
  });

  it('caps maxResults at 100 when fields are requested', async () => {
    sim.control.seed({
      accounts: [],
      projects: [
        {
          key: 'BIG',
          name: 'Big',
          issues: Array.from({ length: 130 }, (_, i) => ({
            summary: `Issue ${i}`,
            status: 'To Do',
            created: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          })),
        },
      ],
    });
    const body = (await searchJql('project = BIG', { fields: 'summary', maxResults: 500 })).body as SearchBody;
    expect(body.issues).toHaveLength(100);
    expect(body.isLast).toBe(false);
  });

  it('supports OR, NOT, IN, assignee = currentUser() and EMPTY', async () => {
    const ada = basic(DEMO_JIRA_ACCOUNTS.ada.email, DEMO_JIRA_ACCOUNTS.ada.apiToken);
    const keys = async (jql: string, auth = bot) =>
      ((await searchJql(`${jql} ORDER BY key ASC`, { auth })).body as SearchBody).issues.map(i => i.key);
    expect(await keys('project in (OPS, PAY) AND assignee = currentUser()', ada)).toEqual([
      'OPS-1',
      'OPS-2',
      'PAY-1',
      'PAY-4',
    ]);
    expect(await keys('project = PAY AND assignee is EMPTY')).toEqual(['PAY-3']);
    expect(
      await keys('project = PAY AND NOT status = Done AND (assignee = "Ada Lovelace" OR assignee is EMPTY)'),
    ).toEqual(['PAY-1', 'PAY-3', 'PAY-4']);
    expect(await keys('project = OPS AND status not in ("To Do", Done) AND created >= "2026-02-01"')).toEqual([
      'OPS-4',
    ]);
  });

  it('hides projects the account may not browse, as if they did not exist', async () => {
    const hidden = await searchJql('project = SEC', { fields: FIELDS });
    expect(hidden.status).toBe(400);
    expect(hidden.body).toEqual({
      errorMessages: ["The value 'SEC' does not exist for the field 'project'."],
      errors: {},
    });
    const grace = basic(DEMO_JIRA_ACCOUNTS.grace.email, DEMO_JIRA_ACCOUNTS.grace.apiToken);
    expect(((await searchJql('project = SEC', { auth: grace })).body as SearchBody).issues).toHaveLength(2);
  });

  it('answers 400 with errorMessages for bad JQL, unknown values and fields, and unbounded queries', async () => {
    const cases: Array<[string, string[]]> = [
      [
        'project = ',
        ["Error in the JQL Query: Expecting either a value, list or function but got '<EOF>'. (line 1, character 11)"],
      ],
      [
        'project = NOPE AND status = Doing',
        [
          "The value 'NOPE' does not exist for the field 'project'.",
          "The value 'Doing' does not exist for the field 'status'.",
        ],
      ],
      ['colour = red', ["Field 'colour' does not exist or you do not have permission to view it."]],
      ['project ~ OPS', ["The operator '~' is not supported by the 'project' field."]],
      ['project = OPS ORDER BY colour', ["Not able to sort using field 'colour'."]],
      [
        'ORDER BY created DESC',
        ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'],
      ],
      ['', ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']],
    ];
    for (const [jql, errorMessages] of cases) {
      const response = await searchJql(jql);
      expect(response.status, jql).toBe(400);
      expect(response.body, jql).toEqual({ errorMessages, errors: {} });
    }
  });

  it('answers 401 for missing, wrong or deactivated credentials', async () => {
    sim.control.seed({
      accounts: [{ email: 'gone@acme.example', apiTokens: ['tok'], displayName: 'Gone', active: false }],
      projects: [],
    });
    for (const auth of [
      null,
      basic(DEMO_JIRA_CREDENTIALS.email, 'wrong'),
      basic('nobody@acme.example', DEMO_JIRA_CREDENTIALS.apiToken),
      basic('gone@acme.example', 'tok'),
      `Bearer ${DEMO_JIRA_CREDENTIALS.apiToken}`,
    ]) {
      const response = await searchJql('project = OPS', { auth });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        errorMessages: ['Client must be authenticated to access this resource.'],
        errors: {},
      });
    }
  });

  it('accepts the same search as POST with a JSON body', async () => {
    const response = await fetch(`${sim.url}/rest/api/3/search/jql`, {
      method: 'POST',
      headers: { authorization: bot, 'content-type': 'application/json' },
      body: JSON.stringify({ jql: 'project = PAY AND status = Done', fields: ['summary'], maxResults: 10 }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as SearchBody).issues.map(i => [i.key, i.fields.summary])).toEqual([
      ['PAY-2', 'Retry card authorisation once on timeout'],
    ]);
  });
});

describe('other answers', () => {
  it('the removed /rest/api/3/search is 410 Gone, as on Jira Cloud', async () => {
    const response = await searchJql('project = OPS', { path: '/rest/api/3/search' });
    expect(response.status).toBe(410);
    expect((response.body as { errorMessages: string[] }).errorMessages[0]).toContain('/rest/api/3/search/jql');
  });

  it("a path outside /rest is Jira's dead-link page (404)", async () => {
    const response = await searchJql('project = OPS', { path: '/wiki/rest/api/3/search/jql' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.text).toContain("Oops, you've found a dead link.");
  });

  it('GET /rest/api/3/myself tells who the credentials belong to', async () => {
    const response = await fetch(`${sim.url}/rest/api/3/myself`, { headers: { authorization: bot } });
    expect(await response.json()).toMatchObject({
      emailAddress: DEMO_JIRA_CREDENTIALS.email,
      displayName: 'Orbit Bot',
      active: true,
    });
  });
});

describe('control', () => {
  it('injects failures with Retry-After, in process and over HTTP, and logs requests', async () => {
    sim.control.failNext(429, { retryAfterSeconds: 17 });
    const limited = await searchJql('project = OPS');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('17');
    expect(limited.body).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} });

    const injected = await fetch(`${sim.url}/_simulator/fail-next`, {
      method: 'POST',
      body: JSON.stringify({ status: 503, count: 2 }),
    });
    expect(injected.status).toBe(204);
    expect((await searchJql('project = OPS')).status).toBe(503);
    expect((await searchJql('project = OPS')).status).toBe(503);
    expect((await searchJql('project = OPS')).status).toBe(200);

    expect(sim.control.requestLog().map(e => [e.status, e.account])).toEqual([
      [429, DEMO_JIRA_CREDENTIALS.email],
      [503, DEMO_JIRA_CREDENTIALS.email],
      [503, DEMO_JIRA_CREDENTIALS.email],
      [200, DEMO_JIRA_CREDENTIALS.email],
    ]);
    const overHttp = (await (await fetch(`${sim.url}/_simulator/requests`)).json()) as unknown[];
    expect(overHttp).toHaveLength(4);
    expect(JSON.stringify(overHttp)).not.toContain(DEMO_JIRA_CREDENTIALS.apiToken);
  });

  it('holds requests until released', async () => {
    const release = sim.control.hold();
    const pending = searchJql('project = OPS');
    await sim.control.waitForHeldRequests(1);
    expect(sim.control.requestLog()).toHaveLength(0);
    release();
    expect((await pending).status).toBe(200);
  });
});

describe('one issue and one project (Get issue, Get project)', () => {
  const get = async (path: string, auth = bot) => {
    const response = await fetch(`${sim.url}${path}`, { headers: { accept: 'application/json', authorization: auth } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers an issue by key or id with every field, or the fields asked for', async () => {
    const byKey = await get('/rest/api/3/issue/OPS-1');
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({
      key: 'OPS-1',
      fields: { summary: 'Rotate the payment gateway keys', status: { name: 'Done' } },
    });
    expect(Object.keys(byKey.body.fields as object).sort()).toEqual([
      'assignee',
      'created',
      'project',
      'status',
      'summary',
    ]);
    const byId = await get(`/rest/api/3/issue/${byKey.body.id}?fields=summary`);
    expect(byId.body).toMatchObject({ key: 'OPS-1', fields: { summary: 'Rotate the payment gateway keys' } });
    expect(Object.keys(byId.body.fields as object)).toEqual(['summary']);
  });

  it("answers a project by key, and 404 in Jira's words for what the account cannot see", async () => {
    expect(await get('/rest/api/3/project/OPS')).toMatchObject({
      status: 200,
      body: { key: 'OPS', name: 'Operations', projectTypeKey: 'software', isPrivate: false },
    });
    expect(await get('/rest/api/3/project/SEC')).toEqual({
      status: 404,
      body: { errorMessages: ["No project could be found with key 'SEC'."], errors: {} },
    });
    expect(await get('/rest/api/3/issue/SEC-1')).toEqual({
      status: 404,
      body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} },
    });
  });
});
