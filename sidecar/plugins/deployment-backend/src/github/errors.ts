/**
 * Errors of the GitHub client and how GitHub's answers map onto them.
 *
 * Routes turn these into HTTP statuses: the `@backstage/errors` classes by
 * Backstage's own mapping (InputError 400, AuthenticationError 401,
 * NotAllowedError 403, NotFoundError 404, ConflictError 409,
 * ServiceUnavailableError 503), and the two classes defined here by name:
 * `GitHubRateLimitError` → 429 with `Retry-After: retryAfterSeconds`,
 * `GitHubCredentialMissingError` → 412.
 *
 * Messages carry GitHub's own message and the request's method and path, never
 * a header, a token or a request body.
 */
import {
  AuthenticationError,
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { findEgressRefusal } from '@internal/plugin-workspace-isolation-node';
import type { RateLimitInfo } from './rateLimit';

/** GitHub refused the call because a rate limit was reached: retry later, not a permission problem. */
export class GitHubRateLimitError extends CustomErrorBase {
  override name = 'GitHubRateLimitError' as const;
  /** Seconds to wait before retrying (from `retry-after`, else until `x-ratelimit-reset`). */
  readonly retryAfterSeconds: number;
  /** `primary`: the hourly quota; `secondary`: GitHub's abuse/concurrency limits. */
  readonly kind: 'primary' | 'secondary';
  /** The quota reading of the refusal, when GitHub sent one. */
  readonly rateLimit: RateLimitInfo | null;

  constructor(
    message: string,
    details: { retryAfterSeconds: number; kind: 'primary' | 'secondary'; rateLimit: RateLimitInfo | null },
  ) {
    super(message);
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.kind = details.kind;
    this.rateLimit = details.rateLimit;
  }
}

/**
 * No usable GitHub credential for this request: the workspace configured none
 * (or an incomplete/unusable one), or a review was asked for without the
 * user's own token. Routes answer 412.
 */
export class GitHubCredentialMissingError extends CustomErrorBase {
  override name = 'GitHubCredentialMissingError' as const;
}

/**
 * The workflow WAS dispatched but its run could not be identified before the
 * lookup deadline. Still a ServiceUnavailableError (503) for routes that do
 * not know it; `dispatched` tells callers not to dispatch again blindly.
 */
export class DispatchedRunNotFoundError extends ServiceUnavailableError {
  readonly dispatched = true as const;
}

/** Token-shaped strings, redacted from anything GitHub echoes back. */
const SECRET_PATTERNS: RegExp[] = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{8,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{8,}/g,
  /\b(?:bearer|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];

export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, '[redacted]'), text);
}

/** GitHub's `message` plus the messages of its `errors[]` (validation failures), bounded. */
export function gitHubMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() ? redactSecrets(body.trim().slice(0, 300)) : undefined;
  if (!body || typeof body !== 'object') return undefined;
  const { message, errors } = body as { message?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (typeof message === 'string' && message.trim()) parts.push(message.trim());
  if (Array.isArray(errors)) {
    for (const e of errors.slice(0, 5)) {
      if (typeof e === 'string') parts.push(e);
      else if (e && typeof e === 'object') {
        const { message: m, field, code } = e as { message?: unknown; field?: unknown; code?: unknown };
        if (typeof m === 'string') parts.push(m);
        else if (typeof field === 'string' && typeof code === 'string') parts.push(`${field}: ${code}`);
      }
    }
  }
  if (parts.length === 0) return undefined;
  return redactSecrets(parts.join('; ').slice(0, 500));
}

type HeaderReader = { get(name: string): string | null };

/** `retry-after` as seconds (delta-seconds or HTTP date), or undefined. */
function retryAfterSeconds(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.max(1, Number(trimmed));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(1, Math.ceil((date - nowMs) / 1000));
}

const SECONDARY_MESSAGE = /secondary rate limit|abuse detection/i;
const PRIMARY_MESSAGE = /rate limit exceeded/i;
/** GitHub's advice for a secondary limit without `retry-after`: wait at least a minute. */
const DEFAULT_SECONDARY_WAIT_S = 60;

/**
 * Tells a real rate limit from any other 403/429. GitHub signals one by
 * status 429, or 403 with `x-ratelimit-remaining: 0`, a `retry-after`, or a
 * "secondary rate limit" message. A 403 with quota left and no such message
 * ("Resource not accessible by integration", "Must have admin rights") is a
 * permission error.
 */
export function classifyRateLimit(
  status: number,
  headers: HeaderReader,
  message: string | undefined,
  rateLimit: RateLimitInfo | null,
  nowMs: number,
): { kind: 'primary' | 'secondary'; retryAfterSeconds: number } | null {
  if (status !== 403 && status !== 429) return null;
  const retryAfter = retryAfterSeconds(headers.get('retry-after'), nowMs);
  const exhausted = rateLimit?.remaining === 0;
  const secondaryMessage = message !== undefined && SECONDARY_MESSAGE.test(message);
  const primaryMessage = message !== undefined && PRIMARY_MESSAGE.test(message);
  if (status === 403 && !exhausted && retryAfter === undefined && !secondaryMessage && !primaryMessage) return null;
  const kind = secondaryMessage || (!exhausted && !primaryMessage) ? 'secondary' : 'primary';
  const untilReset = rateLimit && exhausted ? Math.max(1, Math.ceil(rateLimit.reset - nowMs / 1000)) : undefined;
  return { kind, retryAfterSeconds: retryAfter ?? untilReset ?? DEFAULT_SECONDARY_WAIT_S };
}

export interface FailedResponse {
  method: string;
  /** Path (no origin, no query) for the message. */
  path: string;
  status: number;
  headers: HeaderReader;
  body: unknown;
  rateLimit: RateLimitInfo | null;
  nowMs: number;
}

/** The error for a non-2xx GitHub answer. */
export function errorFromResponse(r: FailedResponse): Error {
  const message = gitHubMessage(r.body);
  const where = `${r.method} ${r.path}`;
  const said = message ? `: ${message}` : '';
  const limited = classifyRateLimit(r.status, r.headers, message, r.rateLimit, r.nowMs);
  if (limited) {
    return new GitHubRateLimitError(
      `GitHub ${limited.kind} rate limit reached (${where}); retry after ${limited.retryAfterSeconds} s${said}`,
      { ...limited, rateLimit: r.rateLimit },
    );
  }
  switch (r.status) {
    case 400:
    case 422:
      return new InputError(`GitHub rejected ${where}${said || ` (HTTP ${r.status})`}`);
    case 401:
      return new AuthenticationError(`GitHub did not accept the credential (${where})${said}`);
    case 403:
      return new NotAllowedError(`GitHub refused ${where}${said}`);
    case 404:
    case 410:
      return new NotFoundError(`GitHub has no ${r.path} or the credential cannot see it${said}`);
    case 409:
      return new ConflictError(`GitHub reported a conflict for ${where}${said}`);
    default:
      if (r.status >= 500) return new ServiceUnavailableError(`GitHub failed ${where} (HTTP ${r.status})${said}`);
      return new InputError(`GitHub rejected ${where} (HTTP ${r.status})${said}`);
  }
}

/** The error for a call that got no answer (connection failure, timeout). */
export function errorFromNetworkFailure(
  method: string,
  path: string,
  origin: string,
  error: unknown,
  timeoutMs: number,
): Error {
  // Not a GitHub failure: the egress policy refused the workspace's API URL before connecting (412).
  const refusal = findEgressRefusal(error);
  if (refusal) return refusal;
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ServiceUnavailableError(`GitHub at ${origin} did not answer ${method} ${path} within ${timeoutMs} ms`);
  }
  // undici puts the socket error in `cause` (ECONNREFUSED, ENOTFOUND, …); only its code is kept.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return new ServiceUnavailableError(`GitHub at ${origin} is unreachable for ${method} ${path}${code}`);
}
