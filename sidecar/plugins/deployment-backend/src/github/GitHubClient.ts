/**
 * The deployment plugin's one GitHub REST client. Every GitHub call of the
 * plugin goes through it.
 *
 * `createGitHubClient(options)`:
 * - `logger?`          Backstage LoggerService; debug line per call (method, path, status,
 *                      cached or not, quota left), warn on rate limits. Never headers or tokens.
 * - `userAgent?`       default `orbit-deployment-plugin` (GitHub requires one).
 * - `timeoutMs?`       per upstream call, body included; default 15 000.
 * - `maxCacheEntries?` ETag cache entries (LRU); default 2 000.
 * - `maxCacheBytes?`   ETag cache size bound (sum of body lengths); default 64 MiB.
 * - `meter?`           OpenTelemetry meter for the `github_rate_limit_remaining{resource}`
 *                      gauge; default `metrics.getMeter('orbit-deployment')`.
 *
 * Behaviour:
 * - URL = `access.baseUrl` + path (the GHES `/api/v3` prefix is kept) + query.
 * - Headers: `Accept: application/vnd.github+json` (callers may ask for another media type),
 *   `X-GitHub-Api-Version: 2022-11-28`, `Authorization` from `access.credential`.
 * - GETs are conditional: the ETag and body of each 200 are kept per (credential identity,
 *   Accept, URL); the next GET sends `If-None-Match` and a 304 (which GitHub does not count
 *   against the rate limit) returns the kept body with `fromCache: true`.
 * - Identical concurrent GETs (same identity, Accept and URL) share one upstream call.
 * - `paginate` follows `Link: rel="next"` (same origin only, so the credential never leaves
 *   the API host) until `maxItems`.
 * - Non-2xx answers and network failures throw the errors of `./errors`.
 * - A 401 for a credential that can `invalidate()` (GitHub App installation tokens) drops the
 *   cached token and retries once.
 *
 * Response `data` may be shared between callers (cache, coalescing): treat it as read-only.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import type { Meter } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import type { ProviderAccess } from '../provider/DeploymentProvider';
import { errorFromNetworkFailure, errorFromResponse, GitHubRateLimitError } from './errors';
import { observeRateLimits, parseRateLimit, RateLimitBoard, type RateLimitInfo } from './rateLimit';
import { buildUrl, parseLinkHeader, sameOrigin, type QueryValue } from './urls';

export const GITHUB_API_VERSION = '2022-11-28';
export const GITHUB_JSON = 'application/vnd.github+json';
const DEFAULT_USER_AGENT = 'orbit-deployment-plugin';
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_CACHE_ENTRIES = 2_000;
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export interface GitHubClientOptions {
  logger?: LoggerService;
  userAgent?: string;
  timeoutMs?: number;
  maxCacheEntries?: number;
  maxCacheBytes?: number;
  meter?: Meter;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface GitHubRequest {
  method?: HttpMethod;
  /** Path below the base URL, starting with `/`, segments already encoded. */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** JSON body (non-GET). */
  body?: unknown;
  /** Extra headers, e.g. another `accept`. `authorization` is ignored. */
  headers?: Readonly<Record<string, string>>;
}

export interface GitHubResponse<T> {
  /** 200 for an answer served from the ETag cache after a 304. */
  status: number;
  /** Parsed JSON, the text of a non-JSON answer, or undefined for an empty one (204). */
  data: T;
  /** Lower-case response headers (for a cached answer: the stored ones updated by the 304's). */
  headers: Readonly<Record<string, string>>;
  /** True when GitHub answered 304 and the kept body was used (no rate limit spent). */
  fromCache: boolean;
  rateLimit: RateLimitInfo | null;
}

export interface PaginateOptions {
  /** Stop after this many items (the last page is cut). */
  maxItems: number;
  /** Property holding the array when pages are objects, e.g. `workflow_runs`. */
  itemsKey?: string;
}

export interface GitHubClient {
  request<T = unknown>(access: ProviderAccess, request: GitHubRequest): Promise<GitHubResponse<T>>;
  /** Every item of a listing, following `Link: rel="next"`; `per_page` defaults to min(100, maxItems). */
  paginate<T = unknown>(access: ProviderAccess, request: GitHubRequest, options: PaginateOptions): Promise<T[]>;
}

interface CachedAnswer {
  etag: string;
  status: number;
  data: unknown;
  headers: Record<string, string>;
  size: number;
}

const headerRecord = (headers: Headers): Record<string, string> => {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
};

export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const logger = options.logger;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cache = new LRUCache<string, CachedAnswer>({
    max: options.maxCacheEntries ?? DEFAULT_CACHE_ENTRIES,
    maxSize: options.maxCacheBytes ?? DEFAULT_CACHE_BYTES,
    sizeCalculation: entry => Math.max(1, entry.size),
  });
  const inFlight = new Map<string, Promise<GitHubResponse<unknown>>>();
  const board = new RateLimitBoard();
  observeRateLimits(board, options.meter);

  /** One upstream exchange; `url` is absolute and already checked to be on the API origin. */
  async function exchange(
    access: ProviderAccess,
    method: HttpMethod,
    url: string,
    request: GitHubRequest,
    retried = false,
  ): Promise<GitHubResponse<unknown>> {
    const { pathname } = new URL(url);
    const accept = request.headers?.accept ?? request.headers?.Accept ?? GITHUB_JSON;
    const cacheKey = method === 'GET' ? `${access.credential.identity}\n${accept}\n${url}` : undefined;
    const cached = cacheKey ? cache.get(cacheKey) : undefined;

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (name.toLowerCase() !== 'authorization') headers[name.toLowerCase()] = value;
    }
    headers.accept = accept;
    headers['x-github-api-version'] = GITHUB_API_VERSION;
    headers['user-agent'] = userAgent;
    headers.authorization = await access.credential.authorization();
    if (cached) headers['if-none-match'] = cached.etag;
    const hasBody = request.body !== undefined && method !== 'GET';
    if (hasBody) headers['content-type'] = 'application/json; charset=utf-8';

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: hasBody ? JSON.stringify(request.body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        // Redirects (renamed repositories) are followed; fetch drops Authorization across origins.
        redirect: 'follow',
      });
      text = await response.text();
    } catch (error) {
      const failure = errorFromNetworkFailure(method, pathname, new URL(url).origin, error, timeoutMs);
      logger?.warn(`GitHub ${method} ${pathname} failed: ${failure.message}`);
      throw failure;
    }

    const rateLimit = parseRateLimit(response.headers);
    board.record(access.credential.identity, rateLimit);
    const remaining = rateLimit ? ` (${rateLimit.remaining}/${rateLimit.limit} ${rateLimit.resource} left)` : '';

    if (response.status === 304 && cached) {
      logger?.debug(`GitHub ${method} ${pathname} → 304, cached answer reused${remaining}`);
      return {
        status: cached.status,
        data: cached.data,
        headers: { ...cached.headers, ...headerRecord(response.headers) },
        fromCache: true,
        rateLimit,
      };
    }

    let data: unknown;
    if (text.length > 0) {
      const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
      if (isJson) {
        try {
          data = JSON.parse(text);
        } catch {
          if (response.ok) throw new ServiceUnavailableError(`GitHub answered ${method} ${pathname} with invalid JSON`);
          data = undefined;
        }
      } else {
        data = text;
      }
    }

    if (!response.ok) {
      if (response.status === 401 && !retried && access.credential.invalidate) {
        access.credential.invalidate();
        logger?.debug(`GitHub ${method} ${pathname} → 401; credential renewed, retrying once`);
        return exchange(access, method, url, request, true);
      }
      const error = errorFromResponse({
        method,
        path: pathname,
        status: response.status,
        headers: response.headers,
        body: data,
        rateLimit,
        nowMs: Date.now(),
      });
      if (error instanceof GitHubRateLimitError) {
        logger?.warn(
          `GitHub ${error.kind} rate limit for credential ${access.credential.identity} on ${method} ${pathname}; retry after ${error.retryAfterSeconds} s`,
        );
      } else {
        logger?.debug(`GitHub ${method} ${pathname} → ${response.status}${remaining}`);
      }
      throw error;
    }

    const responseHeaders = headerRecord(response.headers);
    const etag = response.headers.get('etag');
    if (cacheKey && etag && response.status === 200) {
      const kept: Record<string, string> = {};
      if (responseHeaders.link) kept.link = responseHeaders.link;
      if (responseHeaders['content-type']) kept['content-type'] = responseHeaders['content-type'];
      cache.set(cacheKey, { etag, status: response.status, data, headers: kept, size: text.length });
    }
    logger?.debug(`GitHub ${method} ${pathname} → ${response.status}${remaining}`);
    return { status: response.status, data, headers: responseHeaders, fromCache: false, rateLimit };
  }

  /** GETs with the same identity, Accept and URL share one upstream call. */
  function send(
    access: ProviderAccess,
    method: HttpMethod,
    url: string,
    request: GitHubRequest,
  ): Promise<GitHubResponse<unknown>> {
    if (method !== 'GET') return exchange(access, method, url, request);
    const accept = request.headers?.accept ?? request.headers?.Accept ?? GITHUB_JSON;
    const key = `${access.credential.identity}\n${accept}\n${url}`;
    const pending = inFlight.get(key);
    if (pending) return pending;
    const started = exchange(access, method, url, request).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  return {
    async request<T>(access: ProviderAccess, request: GitHubRequest): Promise<GitHubResponse<T>> {
      const method = request.method ?? 'GET';
      const url = buildUrl(access.baseUrl, request.path, request.query);
      return (await send(access, method, url, request)) as GitHubResponse<T>;
    },

    async paginate<T>(access: ProviderAccess, request: GitHubRequest, options: PaginateOptions): Promise<T[]> {
      const items: T[] = [];
      if (options.maxItems <= 0) return items;
      const query = { ...request.query };
      if (query.per_page === undefined || query.per_page === null) query.per_page = Math.min(100, options.maxItems);
      let url: string | undefined = buildUrl(access.baseUrl, request.path, query);
      while (url !== undefined && items.length < options.maxItems) {
        const page = await send(access, 'GET', url, { ...request, method: 'GET' });
        const list = options.itemsKey
          ? (page.data as Record<string, unknown> | undefined)?.[options.itemsKey]
          : page.data;
        if (!Array.isArray(list)) {
          throw new ServiceUnavailableError(`GitHub answered ${request.path} with something other than a list`);
        }
        items.push(...(list.slice(0, options.maxItems - items.length) as T[]));
        const next: string | undefined = parseLinkHeader(page.headers.link).next;
        if (next !== undefined && !sameOrigin(next, access.baseUrl)) {
          logger?.warn(`GitHub pagination of ${request.path} pointed to another origin; stopped there`);
          break;
        }
        url = list.length === 0 ? undefined : next;
      }
      return items;
    },
  };
}
