/**
 * Rate limits, conditional requests and the metered-call counter: the headers,
 * 304s that cost nothing, primary exhaustion (403 or 429), secondary limits,
 * and answers a client can tell apart — rate limit vs permission (403) vs not
 * found (404) vs bad credentials (401).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signAppJwt } from './jwt';
import { createGitHubSimulator } from './server';
import { APP_ID, NARROW_INSTALLATION_ID, TOKENS, appKeys, testSeed } from './testing/fixtures';
import { call, type ApiResponse } from './testing/http';
import type { GitHubSimulator, GitHubSimulatorOptions } from './types';

const repo = '/repos/acme/checkout';
const running: GitHubSimulator[] = [];

async function start(options: GitHubSimulatorOptions = {}): Promise<GitHubSimulator> {
  const sim = await createGitHubSimulator({ seed: testSeed(), ...options });
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(sim => sim.close()));
});

const remaining = (r: ApiResponse) => Number(r.headers.get('x-ratelimit-remaining'));
const message = (r: ApiResponse) => (r.body as { message: string }).message;

describe('rate-limit headers', () => {
  it('carry limit, remaining, used, reset and resource on every answer, per identity', async () => {
    const sim = await start();
    const nowSeconds = Math.floor(sim.control.now().getTime() / 1000);
    const first = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev });
    expect(first.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(first.headers.get('x-ratelimit-resource')).toBe('core');
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(nowSeconds + 3599);
    expect(reset).toBeLessThanOrEqual(nowSeconds + 3601);

    const second = await call(sim.apiUrl, 'GET', `${repo}/tags`, { token: TOKENS.dev });
    expect(second.headers.get('x-ratelimit-used')).toBe('2');
    // Another user has a quota of their own.
    const other = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.releaseManager });
    expect(other.headers.get('x-ratelimit-used')).toBe('1');
    expect(sim.control.rateLimit('dev')).toMatchObject({ limit: 5000, used: 2, remaining: 4998, reset });
  });

  it('are absent when rate limiting is disabled (as on many GitHub Enterprise Servers)', async () => {
    const sim = await start({ ghesVersion: '3.20', rateLimit: { enabled: false } });
    const response = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('conditional requests', () => {
  it('answer 304 without a body for a matching ETag, cost no quota and are not metered', async () => {
    const sim = await start();
    const first = await call(sim.apiUrl, 'GET', `${repo}/actions/runs`, { token: TOKENS.dev });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/".+"$/);
    const metered = sim.control.meteredCalls();

    for (let i = 0; i < 3; i += 1) {
      const again = await call(sim.apiUrl, 'GET', `${repo}/actions/runs`, {
        token: TOKENS.dev,
        headers: { 'if-none-match': etag },
      });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      expect(again.headers.get('etag')).toBe(etag);
      expect(remaining(again)).toBe(remaining(first));
    }
    expect(sim.control.meteredCalls()).toBe(metered);
    expect(sim.control.counters().notModified).toBe(3);
    expect(sim.control.rateLimit('dev').used).toBe(1);

    // A change makes the old ETag stale: a full (metered) answer with a new ETag.
    sim.control.dispatch({
      repo: 'acme/checkout',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { version: 'v1.2.0', environment: 'staging' },
    });
    const changed = await call(sim.apiUrl, 'GET', `${repo}/actions/runs`, {
      token: TOKENS.dev,
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(sim.control.meteredCalls()).toBe(metered + 1);
  });
});

describe('primary rate limit', () => {
  it("refuses with 403, remaining 0 and GitHub's message once the quota is used; 304s and /rate_limit stay free", async () => {
    const sim = await start({ rateLimit: { limit: 3 } });
    const first = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev });
    const etag = first.headers.get('etag') ?? '';
    expect(
      (await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev, headers: { 'if-none-match': etag } })).status,
    ).toBe(304);
    expect((await call(sim.apiUrl, 'GET', '/rate_limit', { token: TOKENS.dev })).status).toBe(200);
    expect((await call(sim.apiUrl, 'GET', `${repo}/tags`, { token: TOKENS.dev })).status).toBe(200);
    expect((await call(sim.apiUrl, 'GET', `${repo}/branches`, { token: TOKENS.dev })).status).toBe(200);

    const refused = await call(sim.apiUrl, 'GET', `${repo}/commits`, { token: TOKENS.dev });
    expect(refused.status).toBe(403);
    expect(remaining(refused)).toBe(0);
    expect(refused.headers.get('x-ratelimit-used')).toBe('3');
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(message(refused)).toMatch(
      /^API rate limit exceeded for user ID \d+\. If you reach out to GitHub Support for help, please include the request ID \S+ and timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/,
    );
    expect((refused.body as { documentation_url: string }).documentation_url).toContain('rate-limits');

    // GET /rate_limit still answers (and costs nothing); another user is unaffected.
    const status = await call(sim.apiUrl, 'GET', '/rate_limit', { token: TOKENS.dev });
    expect(status.status).toBe(200);
    expect((status.body as { resources: { core: { remaining: number } } }).resources.core.remaining).toBe(0);
    expect((await call(sim.apiUrl, 'GET', repo, { token: TOKENS.releaseManager })).status).toBe(200);

    const counters = sim.control.counters();
    expect(counters.byIdentity.dev).toBe(3);
    expect(counters.rateLimited).toBe(1);

    // The quota comes back when the window resets.
    sim.control.tick(3_600_000);
    expect((await call(sim.apiUrl, 'GET', `${repo}/commits`, { token: TOKENS.dev })).status).toBe(200);
  });

  it('can answer 429 with retry-after (seconds until the reset)', async () => {
    const sim = await start({ rateLimit: { limit: 1, status: 429, retryAfter: true } });
    await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev });
    const refused = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(message(refused)).toMatch(/^API rate limit exceeded for user ID/);
  });

  it('tells anonymous callers to authenticate, with the lower anonymous limit', async () => {
    const sim = await start({ rateLimit: { anonymousLimit: 1 } });
    const first = await call(sim.apiUrl, 'GET', '/repos/octo/hello');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('1');
    const refused = await call(sim.apiUrl, 'GET', '/repos/octo/hello');
    expect(refused.status).toBe(403);
    expect(message(refused)).toMatch(
      /^API rate limit exceeded for 127\.0\.0\.1\. \(But here's the good news: Authenticated requests get a higher rate limit/,
    );
  });

  it('is forced and cleared per identity through the control API and its HTTP endpoints', async () => {
    const sim = await start();
    sim.control.forceRateLimit({ identity: 'dev' });
    expect((await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev })).status).toBe(403);
    expect((await call(sim.apiUrl, 'GET', repo, { token: TOKENS.releaseManager })).status).toBe(200);
    sim.control.clearRateLimits();
    expect((await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev })).status).toBe(200);

    expect(
      (await call(sim.url, 'POST', '/_simulator/rate-limit', { body: { identity: 'release-manager' } })).status,
    ).toBe(204);
    const refused = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.releaseManager });
    expect(refused.status).toBe(403);
    expect(remaining(refused)).toBe(0);
    const snapshot = await call(sim.url, 'GET', '/_simulator/rate-limit/release-manager');
    expect(snapshot.body).toMatchObject({ remaining: 0 });
    expect((await call(sim.url, 'POST', '/_simulator/rate-limit/clear')).status).toBe(204);
    expect((await call(sim.apiUrl, 'GET', repo, { token: TOKENS.releaseManager })).status).toBe(200);
  });
});

describe('secondary rate limits', () => {
  const secondaryMessage =
    /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\. If you reach out to GitHub Support for help, please include the request ID \S+\.$/;

  it('limit content creation per minute, with retry-after, while primary quota remains', async () => {
    const sim = await start({ secondaryRateLimit: { contentCreationPerMinute: 2 } });
    const dispatch = () =>
      call(sim.apiUrl, 'POST', `${repo}/actions/workflows/deploy.yml/dispatches`, {
        token: TOKENS.dev,
        body: { ref: 'main', inputs: { version: 'v1.2.0', environment: 'staging' } },
      });
    expect((await dispatch()).status).toBe(204);
    expect((await dispatch()).status).toBe(204);
    const refused = await dispatch();
    expect(refused.status).toBe(403);
    expect(message(refused)).toMatch(secondaryMessage);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(remaining(refused)).toBeGreaterThan(0);
    expect(sim.control.counters().secondaryRateLimited).toBe(1);
    expect(sim.control.runs()).toHaveLength(2);

    sim.control.tick(60_000);
    expect((await dispatch()).status).toBe(204);
  });

  it('limit points per minute (GET 1, writes 5)', async () => {
    const sim = await start({ secondaryRateLimit: { pointsPerMinute: 6, status: 429 } });
    const dispatched = await call(sim.apiUrl, 'POST', `${repo}/actions/workflows/deploy.yml/dispatches`, {
      token: TOKENS.dev,
      body: { ref: 'main', inputs: { version: 'v1.2.0', environment: 'staging' } },
    });
    expect(dispatched.status).toBe(204);
    expect((await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev })).status).toBe(200);
    const refused = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev });
    expect(refused.status).toBe(429);
    expect(message(refused)).toMatch(secondaryMessage);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limit concurrent requests per identity', async () => {
    const sim = await start({ secondaryRateLimit: { maxConcurrent: 2 } });
    const release = sim.control.hold();
    const parked = [
      call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev }),
      call(sim.apiUrl, 'GET', `${repo}/tags`, { token: TOKENS.dev }),
    ];
    await sim.control.waitForHeldRequests(2);
    const third = await call(sim.apiUrl, 'GET', `${repo}/branches`, { token: TOKENS.dev });
    expect(third.status).toBe(403);
    expect(message(third)).toMatch(secondaryMessage);
    // Other identities have their own concurrency budget.
    const otherParked = call(sim.apiUrl, 'GET', repo, { token: TOKENS.releaseManager });
    await sim.control.waitForHeldRequests(3);
    release();
    expect((await Promise.all([...parked, otherParked])).map(r => r.status)).toEqual([200, 200, 200]);
  });

  it('are forced for the next requests through the control API', async () => {
    const sim = await start();
    sim.control.forceSecondaryRateLimit({ identity: 'dev', requests: 1, retryAfterSeconds: 7 });
    const refused = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect((await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev })).status).toBe(200);
  });
});

describe('not found, forbidden and unauthenticated answers', () => {
  it('are distinct from rate limits and from each other', async () => {
    const sim = await start();
    const hidden = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.outsider });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ message: 'Not Found', status: '404' });

    const forbidden = await call(sim.apiUrl, 'POST', `${repo}/actions/runs/1/cancel`, { token: TOKENS.viewer });
    expect(forbidden.status).toBe(403);
    expect(message(forbidden)).toBe('Must have admin rights to Repository.');
    expect(remaining(forbidden)).toBeGreaterThan(0);
    expect(forbidden.headers.get('retry-after')).toBeNull();

    const badToken = await call(sim.apiUrl, 'GET', repo, { token: 'ghp_not_a_token' });
    expect(badToken.status).toBe(401);
    expect(message(badToken)).toBe('Bad credentials');

    const unknownRun = await call(sim.apiUrl, 'GET', `${repo}/actions/runs/123`, { token: TOKENS.dev });
    expect(unknownRun.status).toBe(404);
  });

  it('refuse an app installation without the needed permission (403) and hide repositories it is not installed on (404)', async () => {
    const sim = await start();
    const jwt = signAppJwt(APP_ID, appKeys().privateKey, Math.floor(sim.control.now().getTime() / 1000));
    const issued = await call(sim.apiUrl, 'POST', `/app/installations/${NARROW_INSTALLATION_ID}/access_tokens`, {
      token: jwt,
    });
    expect(issued.status).toBe(201);
    const token = (issued.body as { token: string }).token;

    const noScope = await call(sim.apiUrl, 'GET', '/repos/acme/payments/actions/runs', { token });
    expect(noScope.status).toBe(403);
    expect(message(noScope)).toBe('Resource not accessible by integration');
    expect(noScope.headers.get('x-accepted-github-permissions')).toBe('actions=read');
    expect((await call(sim.apiUrl, 'GET', '/repos/acme/payments/tags', { token })).status).toBe(200);
    expect((await call(sim.apiUrl, 'GET', repo, { token })).status).toBe(404);
    expect(sim.control.meteredCalls(`installation:${NARROW_INSTALLATION_ID}`)).toBe(3);
  });
});

describe('the metered-call counter', () => {
  it('counts what costs primary quota, per identity, token and endpoint, in process and over HTTP', async () => {
    const sim = await start();
    const first = await call(sim.apiUrl, 'GET', repo, { token: TOKENS.dev }); // metered
    await call(sim.apiUrl, 'GET', repo, {
      token: TOKENS.dev,
      headers: { 'if-none-match': first.headers.get('etag') ?? '' },
    }); // 304
    await call(sim.apiUrl, 'GET', '/rate_limit', { token: TOKENS.dev }); // free
    await call(sim.apiUrl, 'GET', '/no/such/endpoint', { token: TOKENS.dev }); // metered 404
    await call(sim.apiUrl, 'GET', repo, { token: 'ghp_wrong' }); // metered, anonymous
    await call(sim.apiUrl, 'GET', `${repo}/tags`, { token: TOKENS.releaseManager }); // metered
    await call(sim.url, 'GET', '/_simulator/runs'); // control: not an API request

    expect(sim.control.meteredCalls()).toBe(4);
    expect(sim.control.meteredCalls('dev')).toBe(2);
    expect(sim.control.meteredCalls('release-manager')).toBe(1);
    expect(sim.control.meteredCalls('anonymous')).toBe(1);
    const counters = sim.control.counters();
    expect(counters).toMatchObject({
      metered: 4,
      notModified: 1,
      requests: 6,
      rateLimited: 0,
      secondaryRateLimited: 0,
    });
    expect(counters.byToken).toEqual({ [TOKENS.dev]: 2, [TOKENS.releaseManager]: 1, '(none)': 1 });
    expect(counters.byEndpoint).toEqual({
      'GET /repos/{owner}/{repo}': 2,
      'GET /repos/{owner}/{repo}/tags': 1,
      'GET (unknown)': 1,
    });
    expect(sim.control.requestLog().map(e => [e.status, e.metered])).toEqual([
      [200, true],
      [304, false],
      [200, false],
      [404, true],
      [401, true],
      [200, true],
    ]);

    const overHttp = await call(sim.url, 'GET', '/_simulator/counters');
    expect(overHttp.status).toBe(200);
    expect(overHttp.body).toEqual(counters);
    expect((await call(sim.url, 'POST', '/_simulator/counters/reset')).status).toBe(204);
    expect(sim.control.meteredCalls()).toBe(0);
    expect(((await call(sim.url, 'GET', '/_simulator/counters')).body as { metered: number }).metered).toBe(0);
  });
});
