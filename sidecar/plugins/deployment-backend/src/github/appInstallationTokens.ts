/**
 * GitHub App installation tokens, minted with `@octokit/auth-app` and kept
 * until shortly before GitHub's expiry, one per (API base URL, app,
 * installation, private key).
 *
 * auth-app signs the App JWT and calls
 * `POST /app/installations/{id}/access_tokens`; it is given a small request
 * function bound to the workspace's API base URL (GHES `/api/v3` included), so
 * the exchange goes to the right host. Concurrent requests for the same
 * installation share one mint.
 *
 * Failures that mean "the App configuration does not work" (bad key, unknown
 * app or installation, refused JWT) become `GitHubCredentialMissingError`
 * (412): the workspace must fix its configuration. Rate limits and GitHub
 * outages keep their own errors. Neither the key nor any token is ever put in
 * an error or a log line.
 */
import { createHash } from 'node:crypto';
import { ServiceUnavailableError } from '@backstage/errors';
import { createAppAuth, type StrategyOptions } from '@octokit/auth-app';
import { LRUCache } from 'lru-cache';
import {
  errorFromNetworkFailure,
  errorFromResponse,
  GitHubCredentialMissingError,
  GitHubRateLimitError,
} from './errors';
import { parseRateLimit } from './rateLimit';
import { buildUrl } from './urls';

export interface GitHubAppKey {
  readonly baseUrl: string;
  readonly appId: string;
  readonly installationId: string;
  /** PEM (PKCS#1 or PKCS#8). SECRET. */
  readonly privateKey: string;
}

export interface AppInstallationTokensOptions {
  userAgent?: string;
  /** Per exchange with GitHub; default 15 000. */
  timeoutMs?: number;
  /** Mint a new token this long before the current one expires; default 5 minutes. */
  renewBeforeMs?: number;
  /** Installations remembered; default 1 000. */
  maxEntries?: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

interface KeptToken {
  token: string;
  expiresAtMs: number;
}

/** Errors thrown by our own request function (as opposed to JWT signing inside auth-app). */
const requestErrors = new WeakSet<object>();

/**
 * The `request` auth-app uses: `request("POST /app/installations/{installation_id}/access_tokens", {headers, ...})`.
 * Only what auth-app needs: route templates, `headers.authorization`, and the rest as JSON body.
 */
function boundRequest(baseUrl: string, userAgent: string, timeoutMs: number) {
  return async (route: string, parameters: Record<string, unknown> = {}) => {
    const [method = 'GET', template = '/'] = route.split(' ');
    const { headers, mediaType: _mediaType, request: _request, baseUrl: _baseUrl, ...rest } = parameters;
    const used = new Set<string>();
    const path = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
      used.add(name);
      return encodeURIComponent(String(rest[name]));
    });
    const body = Object.fromEntries(Object.entries(rest).filter(([key]) => !used.has(key)));
    const url = buildUrl(baseUrl, path);
    const authorization = (headers as Record<string, string> | undefined)?.authorization;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': userAgent,
          ...(authorization ? { authorization } : {}),
          ...(method !== 'GET' ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        },
        body: method !== 'GET' ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const failure = errorFromNetworkFailure(method, new URL(url).pathname, new URL(url).origin, error, timeoutMs);
      requestErrors.add(failure);
      throw failure;
    }
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = text;
    }
    if (!response.ok) {
      const failure = errorFromResponse({
        method,
        path: new URL(url).pathname,
        status: response.status,
        headers: response.headers,
        body: data,
        rateLimit: parseRateLimit(response.headers),
        nowMs: Date.now(),
      });
      requestErrors.add(failure);
      throw failure;
    }
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      responseHeaders[key] = value;
    });
    return { status: response.status, url, headers: responseHeaders, data };
  };
}

const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 16);

export class AppInstallationTokens {
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly renewBeforeMs: number;
  private readonly now: () => number;
  private readonly tokens: LRUCache<string, KeptToken>;
  private readonly minting = new Map<string, Promise<string>>();

  constructor(options: AppInstallationTokensOptions = {}) {
    this.userAgent = options.userAgent ?? 'orbit-deployment-plugin';
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.renewBeforeMs = options.renewBeforeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.tokens = new LRUCache({ max: options.maxEntries ?? 1000 });
  }

  private key(app: GitHubAppKey): string {
    return [app.baseUrl, app.appId, app.installationId, fingerprint(app.privateKey)].join('\n');
  }

  private auth(app: GitHubAppKey) {
    const request = boundRequest(app.baseUrl, this.userAgent, this.timeoutMs);
    return createAppAuth({
      appId: /^\d+$/.test(app.appId) ? Number(app.appId) : app.appId,
      privateKey: app.privateKey,
      installationId: app.installationId,
      // auth-app only calls it as a function with a route and parameters (see boundRequest).
      request: request as unknown as NonNullable<StrategyOptions['request']>,
      log: { warn: () => undefined },
    });
  }

  /** An installation token, minted or reused (until `renewBeforeMs` before its expiry). */
  async installationToken(app: GitHubAppKey): Promise<string> {
    const key = this.key(app);
    const kept = this.tokens.get(key);
    if (kept && kept.expiresAtMs - this.renewBeforeMs > this.now()) return kept.token;
    const pending = this.minting.get(key);
    if (pending) return pending;
    const mint = (async () => {
      try {
        const result = await this.auth(app)({ type: 'installation', refresh: true });
        const expiresAtMs = Date.parse(result.expiresAt);
        this.tokens.set(key, {
          token: result.token,
          expiresAtMs: Number.isNaN(expiresAtMs) ? this.now() + 30 * 60_000 : expiresAtMs,
        });
        return result.token;
      } catch (error) {
        throw configurationError(app, error);
      }
    })().finally(() => this.minting.delete(key));
    this.minting.set(key, mint);
    return mint;
  }

  /** Forget the installation's token (after GitHub refused it). */
  invalidate(app: GitHubAppKey): void {
    this.tokens.delete(this.key(app));
  }

  /** A fresh App JWT (valid ~10 minutes) for app-level endpoints like `GET /app`. */
  async appJwt(app: GitHubAppKey): Promise<string> {
    try {
      const result = await this.auth(app)({ type: 'app' });
      return result.token;
    } catch (error) {
      throw configurationError(app, error);
    }
  }
}

/** Keeps rate limits and outages as they are; everything else is the App configuration's fault. */
function configurationError(app: GitHubAppKey, error: unknown): Error {
  if (error instanceof GitHubRateLimitError || error instanceof ServiceUnavailableError) return error;
  const who = `GitHub App ${app.appId} (installation ${app.installationId})`;
  if (error instanceof Error && requestErrors.has(error)) {
    return new GitHubCredentialMissingError(
      `The workspace's ${who} could not get an installation token: ${error.message}`,
    );
  }
  // Not from GitHub: auth-app failed to sign the JWT. Its message is not passed on (it may quote the key).
  return new GitHubCredentialMissingError(
    `The workspace's ${who} has a private key that cannot sign a JSON web token; configure the App's PEM private key`,
  );
}

/** One process-wide cache: installation tokens are per installation, not per request. */
export const sharedAppInstallationTokens = new AppInstallationTokens();
