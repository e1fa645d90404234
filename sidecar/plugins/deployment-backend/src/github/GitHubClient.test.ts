import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { MeterProvider, MetricReader, type GaugeMetricData } from '@opentelemetry/sdk-metrics';
import { createGitHubSimulator, DEMO_TOKENS, type GitHubSimulator } from '@orbit-idp/github-simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderAccess } from '../provider/DeploymentProvider';
import { resolveProviderAccess } from './credentials';
import { GitHubRateLimitError } from './errors';
import { createGitHubClient, type GitHubClient } from './GitHubClient';
import { captureLogger, workspaceContext } from './testHelpers';

class TestMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const userAccess = (baseUrl: string, token: string): ProviderAccess =>
  resolveProviderAccess({
    context: workspaceContext({ githubToken: token }),
    purpose: 'read',
    defaultBaseUrl: baseUrl,
  });

interface CommitItem {
  sha: string;
}

describe('GitHubClient against the GitHub simulator', () => {
  let sim: GitHubSimulator;
  let client: GitHubClient;
  const logs = captureLogger();
  let dev: ProviderAccess;
  let viewer: ProviderAccess;

  beforeAll(async () => {
    sim = await createGitHubSimulator({ seed: 'demo' });
    client = createGitHubClient({ logger: logs.logger });
    dev = userAccess(sim.apiUrl, DEMO_TOKENS.dev);
    viewer = userAccess(sim.apiUrl, DEMO_TOKENS.viewer);
  });

  afterEach(() => {
    sim.control.clearRateLimits();
  });

  afterAll(async () => {
    await sim?.close();
  });

  const counters = () => sim.control.counters();

  it('reads a resource with GitHub JSON and API version headers and surfaces the rate limit', async () => {
    const res = await client.request<{ full_name: string }>(dev, { path: '/repos/acme/checkout' });
    expect(res.status).toBe(200);
    expect(res.data.full_name).toBe('acme/checkout');
    expect(res.fromCache).toBe(false);
    expect(res.headers['x-github-api-version-selected']).toBe('2022-11-28');
    expect(res.rateLimit).toMatchObject({ limit: 5000, resource: 'core' });
    expect(res.rateLimit?.remaining).toBe(5000 - (res.rateLimit?.used ?? 0));
  });

  it('answers a repeated GET from its ETag cache: the 304 costs no rate limit', async () => {
    const first = await client.request<{ id: number }>(dev, { path: '/repos/acme/payments' });
    const before = counters();
    const second = await client.request<{ id: number }>(dev, { path: '/repos/acme/payments' });
    const after = counters();
    expect(second.fromCache).toBe(true);
    expect(second.status).toBe(200);
    expect(second.data).toEqual(first.data);
    expect(after.metered - before.metered).toBe(0);
    expect(after.notModified - before.notModified).toBe(1);
    expect(second.rateLimit?.remaining).toBe(first.rateLimit?.remaining);
    expect(sim.control.requestLog().at(-1)).toMatchObject({ status: 304, metered: false });
  });

  it('keeps ETags per credential identity: another token does not see the cached answer', async () => {
    await client.request(dev, { path: '/repos/acme/checkout/tags' });
    const before = counters();
    const other = await client.request(viewer, { path: '/repos/acme/checkout/tags' });
    expect(other.fromCache).toBe(false);
    expect(counters().byIdentity.viewer! - (before.byIdentity.viewer ?? 0)).toBe(1);
  });

  it('coalesces identical concurrent GETs into one upstream call', async () => {
    const release = sim.control.hold();
    const before = counters();
    const calls = Array.from({ length: 10 }, () =>
      client.request<unknown[]>(dev, { path: '/repos/acme/checkout/branches' }),
    );
    // A different URL is a different call.
    const other = client.request(dev, { path: '/repos/acme/payments/branches' });
    await sim.control.waitForHeldRequests(2);
    release();
    const results = await Promise.all(calls);
    await other;
    const after = counters();
    expect(after.requests - before.requests).toBe(2);
    for (const r of results) expect(r.data).toBe(results[0]!.data);
  });

  it('does not coalesce writes', async () => {
    const run = sim.control.dispatch({
      repo: 'acme/checkout',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { version: 'v1.0.0', environment: 'staging' },
    });
    sim.control.settle(run.id);
    const before = counters();
    const results = await Promise.allSettled(
      [1, 2].map(() =>
        client.request(dev, { method: 'POST', path: `/repos/acme/checkout/actions/runs/${run.id}/cancel` }),
      ),
    );
    expect(counters().requests - before.requests).toBe(2);
    // Cancelling a completed run is a conflict on GitHub.
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
  });

  it('paginates through the Link header up to maxItems', async () => {
    const before = sim.control.requestLog().length;
    const items = await client.paginate<CommitItem>(
      dev,
      { path: '/repos/acme/checkout/commits', query: { sha: 'main', per_page: 20 } },
      { maxItems: 55 },
    );
    expect(items).toHaveLength(55);
    expect(new Set(items.map(c => c.sha)).size).toBe(55);
    const pages = sim.control
      .requestLog()
      .slice(before)
      .filter(e => e.endpoint === 'GET /repos/{owner}/{repo}/commits');
    expect(pages).toHaveLength(3);

    const all = await client.paginate<CommitItem>(
      dev,
      { path: '/repos/acme/checkout/commits', query: { per_page: 25 } },
      { maxItems: 1000 },
    );
    expect(all).toHaveLength(60);
    expect(all.slice(0, 55).map(c => c.sha)).toEqual(items.map(c => c.sha));
  });

  it('paginates objects holding their list under itemsKey', async () => {
    const workflows = await client.paginate<{ path: string }>(
      dev,
      { path: '/repos/acme/checkout/actions/workflows', query: { per_page: 1 } },
      { maxItems: 10, itemsKey: 'workflows' },
    );
    expect(workflows.map(w => w.path).sort()).toEqual(['.github/workflows/ci.yml', '.github/workflows/deploy.yml']);
  });

  describe('errors', () => {
    it('a primary rate limit is GitHubRateLimitError with the seconds until the reset', async () => {
      sim.control.forceRateLimit({ identity: 'dev' });
      const error = await client.request(dev, { path: '/repos/acme/checkout/pulls' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubRateLimitError);
      const limited = error as GitHubRateLimitError;
      expect(limited.kind).toBe('primary');
      const resetIn = sim.control.rateLimit('dev').reset - Math.floor(Date.now() / 1000);
      expect(limited.retryAfterSeconds).toBeGreaterThan(0);
      expect(Math.abs(limited.retryAfterSeconds - resetIn)).toBeLessThanOrEqual(2);
      expect(limited.rateLimit?.remaining).toBe(0);
      expect(error).not.toBeInstanceOf(NotAllowedError);
    });

    it('a secondary rate limit is GitHubRateLimitError with retry-after', async () => {
      sim.control.forceSecondaryRateLimit({ identity: 'dev', retryAfterSeconds: 42 });
      const error = await client.request(dev, { path: '/repos/acme/checkout/branches' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubRateLimitError);
      expect(error).toMatchObject({ kind: 'secondary', retryAfterSeconds: 42 });
    });

    it('a permission 403 is NotAllowedError with GitHub’s message, never a rate limit', async () => {
      const error = await client
        .request(viewer, {
          method: 'POST',
          path: '/repos/acme/checkout/actions/workflows/deploy.yml/dispatches',
          body: { ref: 'main', inputs: { version: 'v1.0.0', environment: 'staging' } },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error).not.toBeInstanceOf(GitHubRateLimitError);
      expect((error as Error).message).toContain('Must have admin rights to Repository.');
    });

    it('404 is NotFoundError, 422 InputError with GitHub’s message, 401 AuthenticationError without the token', async () => {
      await expect(client.request(dev, { path: '/repos/acme/nope' })).rejects.toBeInstanceOf(NotFoundError);

      const invalid = await client
        .request(dev, {
          method: 'POST',
          path: '/repos/acme/checkout/actions/workflows/deploy.yml/dispatches',
          body: { ref: 'main', inputs: { version: 'v1', environment: 'staging', surprise: 'x' } },
        })
        .catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(InputError);
      expect((invalid as Error).message).toContain('Unexpected inputs provided');

      const secret = 'ghp_this_token_does_not_exist_0123456789';
      const error = await client.request(userAccess(sim.apiUrl, secret), { path: '/user' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toContain('Bad credentials');
      expect(String(error)).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(logs.dump()).not.toContain(secret);
      expect(logs.dump()).not.toContain(DEMO_TOKENS.dev);
    });

    it('no answer in time is ServiceUnavailableError', async () => {
      const impatient = createGitHubClient({ timeoutMs: 150 });
      const release = sim.control.hold();
      try {
        const error = await impatient.request(dev, { path: '/repos/acme/checkout' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceUnavailableError);
        expect((error as Error).message).toMatch(/did not answer .* within 150 ms/);
      } finally {
        release();
      }
    });

    it('an unreachable host and a 5xx are ServiceUnavailableError', async () => {
      const server: Server = createServer((_req, res) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Server Error' }));
      });
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      try {
        const failing = await client
          .request(userAccess(`http://127.0.0.1:${port}`, DEMO_TOKENS.dev), { path: '/user' })
          .catch((e: unknown) => e);
        expect(failing).toBeInstanceOf(ServiceUnavailableError);
        expect((failing as Error).message).toContain('HTTP 502');
      } finally {
        await new Promise<void>(resolve => server.close(() => resolve()));
      }
      const unreachable = await client
        .request(userAccess(`http://127.0.0.1:${port}`, DEMO_TOKENS.dev), { path: '/user' })
        .catch((e: unknown) => e);
      expect(unreachable).toBeInstanceOf(ServiceUnavailableError);
      expect((unreachable as Error).message).toContain('unreachable');
    });
  });

  it('records github_rate_limit_remaining by resource: the lowest quota among the credentials in use', async () => {
    const reader = new TestMetricReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    try {
      const observed = createGitHubClient({ meter: meterProvider.getMeter('orbit-deployment') });
      const a = await observed.request(dev, { path: '/user' });
      const b = await observed.request(viewer, { path: '/user' });
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap(s => s.metrics)
        .find(m => m.descriptor.name === 'github_rate_limit_remaining') as GaugeMetricData | undefined;
      expect(metric).toBeDefined();
      expect(metric!.dataPoints.map(p => p.attributes)).toEqual([{ resource: 'core' }]);
      expect(metric!.dataPoints[0]?.value).toBe(Math.min(a.rateLimit!.remaining, b.rateLimit!.remaining));
    } finally {
      await meterProvider.shutdown();
    }
  });
});

describe('GitHubClient against GitHub Enterprise Server (/api/v3)', () => {
  let sim: GitHubSimulator;
  const client = createGitHubClient();

  beforeAll(async () => {
    sim = await createGitHubSimulator({ seed: 'demo', ghesVersion: '3.19' });
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('keeps the /api/v3 prefix for requests, conditional requests and pagination', async () => {
    expect(sim.apiUrl).toBe(`${sim.url}/api/v3`);
    const access = userAccess(`${sim.apiUrl}/`, DEMO_TOKENS.dev);
    expect(access.baseUrl).toBe(sim.apiUrl);
    const repo = await client.request<{ full_name: string }>(access, { path: '/repos/acme/checkout' });
    expect(repo.data.full_name).toBe('acme/checkout');
    expect(repo.headers['x-github-enterprise-version']).toBe('3.19.0');
    const again = await client.request(access, { path: '/repos/acme/checkout' });
    expect(again.fromCache).toBe(true);

    const before = sim.control.requestLog().length;
    const commits = await client.paginate<CommitItem>(
      access,
      { path: '/repos/acme/payments/commits' },
      { maxItems: 30 },
    );
    expect(commits).toHaveLength(30);
    const paged = await client.paginate<CommitItem>(
      access,
      { path: '/repos/acme/payments/commits', query: { per_page: 7 } },
      { maxItems: 30 },
    );
    expect(paged.map(c => c.sha)).toEqual(commits.map(c => c.sha));
    const log = sim.control.requestLog().slice(before);
    expect(log.every(e => e.status === 200 || e.status === 304)).toBe(true);
    expect(log.length).toBe(1 + 5);
  });

  it('the API is not at the root in GHES mode (proves the prefix is what reaches it)', async () => {
    const access = userAccess(sim.url, DEMO_TOKENS.dev);
    await expect(client.request(access, { path: '/repos/acme/checkout' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
