import { InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { describe, expect, it } from 'vitest';
import { classifyRateLimit, errorFromResponse, GitHubRateLimitError, redactSecrets } from './errors';
import { parseRateLimit } from './rateLimit';

const NOW_MS = Date.parse('2026-03-01T12:00:00Z');
const NOW_S = NOW_MS / 1000;

const answer = (status: number, headers: Record<string, string>, body: unknown) => {
  const h = new Headers(headers);
  return errorFromResponse({
    method: 'GET',
    path: '/repos/o/r',
    status,
    headers: h,
    body,
    rateLimit: parseRateLimit(h),
    nowMs: NOW_MS,
  });
};

const quota = (remaining: number, resetInS = 900) => ({
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-used': String(5000 - remaining),
  'x-ratelimit-reset': String(NOW_S + resetInS),
  'x-ratelimit-resource': 'core',
});

describe('telling rate limits from permission errors', () => {
  it('403 with no quota left is a primary rate limit, retry at the reset', () => {
    const error = answer(403, quota(0, 1234), { message: 'API rate limit exceeded for user ID 1.' });
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error).toMatchObject({ kind: 'primary', retryAfterSeconds: 1234 });
  });

  it('retry-after wins over the reset, in seconds or as an HTTP date', () => {
    expect(answer(429, { ...quota(0), 'retry-after': '30' }, {})).toMatchObject({ retryAfterSeconds: 30 });
    const date = new Date(NOW_MS + 90_000).toUTCString();
    expect(answer(429, { 'retry-after': date }, {})).toMatchObject({ retryAfterSeconds: 90 });
  });

  it('a secondary limit is recognised by its message or retry-after even with quota left', () => {
    const byMessage = answer(403, quota(4000), {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes.',
    });
    expect(byMessage).toMatchObject({ name: 'GitHubRateLimitError', kind: 'secondary', retryAfterSeconds: 60 });
    expect(answer(403, { ...quota(4000), 'retry-after': '15' }, { message: 'whatever' })).toMatchObject({
      kind: 'secondary',
      retryAfterSeconds: 15,
    });
  });

  it('429 is always a rate limit', () => {
    expect(answer(429, {}, undefined)).toBeInstanceOf(GitHubRateLimitError);
  });

  it('403 with quota left and a permission message is NotAllowedError carrying GitHub’s message', () => {
    const error = answer(403, quota(4999), { message: 'Resource not accessible by integration' });
    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toContain('Resource not accessible by integration');
    expect(
      classifyRateLimit(
        403,
        new Headers(quota(4999)),
        'Must have admin rights to Repository.',
        parseRateLimit(new Headers(quota(4999))),
        NOW_MS,
      ),
    ).toBeNull();
  });

  it('GHES without rate-limit headers: only the message tells', () => {
    expect(answer(403, {}, { message: 'API rate limit exceeded' })).toBeInstanceOf(GitHubRateLimitError);
    expect(answer(403, {}, { message: 'Forbidden' })).toBeInstanceOf(NotAllowedError);
  });
});

describe('other statuses', () => {
  it('maps 404/410, 422 with validation errors, and 5xx', () => {
    expect(answer(404, {}, { message: 'Not Found' })).toBeInstanceOf(NotFoundError);
    expect(answer(410, {}, { message: 'Gone' })).toBeInstanceOf(NotFoundError);
    const invalid = answer(
      422,
      {},
      { message: 'Validation Failed', errors: [{ resource: 'Search', field: 'state', code: 'invalid' }] },
    );
    expect(invalid).toBeInstanceOf(InputError);
    expect(invalid.message).toContain('Validation Failed; state: invalid');
    expect(answer(503, {}, 'upstream down')).toBeInstanceOf(ServiceUnavailableError);
  });

  it('never repeats a token GitHub echoes back', () => {
    const error = answer(
      422,
      {},
      { message: 'bad value ghp_abcdefghijklmnopqrstuvwxyz012345 in Bearer abcdefghijklmnop' },
    );
    expect(error.message).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz012345');
    expect(error.message).not.toContain('abcdefghijklmnop');
    expect(redactSecrets('github_pat_11ABCDEFG0123456789_abcdef and token ghs_1234567890abcdef')).toBe(
      '[redacted] and token [redacted]',
    );
  });
});
