import type {
  CounterSnapshot,
  RateLimitOptions,
  RateLimitSnapshot,
  RequestLogEntry,
  SecondaryRateLimitOptions,
} from './types';

const HOUR_S = 3600;
const MINUTE_MS = 60_000;

interface Bucket {
  limit: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
  forced: boolean;
}

interface Recent {
  at: number;
  points: number;
  creates: boolean;
}

export type LimitDecision =
  | { ok: true }
  | { ok: false; kind: 'primary'; retryAfter: number | null }
  | { ok: false; kind: 'secondary'; retryAfter: number };

/** Primary (per hour) and secondary (per minute, concurrency) limits per identity. */
export class RateLimiter {
  readonly primary: Required<RateLimitOptions>;
  readonly secondary: Required<SecondaryRateLimitOptions>;
  private buckets = new Map<string, Bucket>();
  private recent = new Map<string, Recent[]>();
  private inFlight = new Map<string, number>();
  private forcedAll = false;
  private forcedSecondary = new Map<string, { remaining: number; retryAfter: number }>();

  constructor(
    primary: RateLimitOptions | undefined,
    secondary: SecondaryRateLimitOptions | undefined,
    private readonly clock: () => number,
  ) {
    this.primary = {
      enabled: primary?.enabled ?? true,
      limit: primary?.limit ?? 5000,
      installationLimit: primary?.installationLimit ?? 5000,
      anonymousLimit: primary?.anonymousLimit ?? 60,
      status: primary?.status ?? 403,
      retryAfter: primary?.retryAfter ?? false,
    };
    this.secondary = {
      maxConcurrent: secondary?.maxConcurrent ?? 100,
      pointsPerMinute: secondary?.pointsPerMinute ?? 900,
      contentCreationPerMinute: secondary?.contentCreationPerMinute ?? 80,
      retryAfterSeconds: secondary?.retryAfterSeconds ?? 60,
      status: secondary?.status ?? 403,
    };
  }

  private bucket(identity: string, limit: number): Bucket {
    const nowS = Math.floor(this.clock() / 1000);
    let b = this.buckets.get(identity);
    if (!b || nowS >= b.reset) {
      b = { limit, used: 0, reset: nowS + HOUR_S, forced: false };
      this.buckets.set(identity, b);
    }
    b.limit = limit;
    return b;
  }

  snapshot(identity: string, limit: number): RateLimitSnapshot {
    const b = this.bucket(identity, limit);
    const exhausted = b.forced || this.forcedAll;
    return {
      limit: b.limit,
      used: exhausted ? b.limit : b.used,
      remaining: exhausted ? 0 : Math.max(0, b.limit - b.used),
      reset: b.reset,
    };
  }

  headers(identity: string, limit: number): Record<string, string> {
    if (!this.primary.enabled) return {};
    const s = this.snapshot(identity, limit);
    return {
      'x-ratelimit-limit': String(s.limit),
      'x-ratelimit-remaining': String(s.remaining),
      'x-ratelimit-reset': String(s.reset),
      'x-ratelimit-used': String(s.used),
      'x-ratelimit-resource': 'core',
    };
  }

  /** Count a request that costs primary quota (anything but a 304 or a refusal). */
  consume(identity: string, limit: number): void {
    if (!this.primary.enabled) return;
    const b = this.bucket(identity, limit);
    b.used = Math.min(b.limit, b.used + 1);
  }

  /** Called before handling; `primaryExempt` for /rate_limit. */
  check(identity: string, limit: number, method: string, primaryExempt: boolean): LimitDecision {
    if (!this.primary.enabled) return { ok: true };
    const forced = this.forcedSecondary.get(identity) ?? this.forcedSecondary.get('*');
    if (forced && forced.remaining > 0) {
      forced.remaining -= 1;
      return { ok: false, kind: 'secondary', retryAfter: forced.retryAfter };
    }
    if (!primaryExempt) {
      const s = this.snapshot(identity, limit);
      if (s.remaining <= 0) {
        const retryAfter = this.primary.retryAfter ? Math.max(1, s.reset - Math.floor(this.clock() / 1000)) : null;
        return { ok: false, kind: 'primary', retryAfter };
      }
    }
    const now = this.clock();
    const window = (this.recent.get(identity) ?? []).filter(r => now - r.at < MINUTE_MS);
    this.recent.set(identity, window);
    const creates = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    const points = creates ? 5 : 1;
    const used = window.reduce((sum, r) => sum + r.points, 0);
    const createdCount = window.filter(r => r.creates).length;
    if (
      used + points > this.secondary.pointsPerMinute ||
      (creates && createdCount >= this.secondary.contentCreationPerMinute)
    ) {
      const oldest = window[0]?.at ?? now;
      return { ok: false, kind: 'secondary', retryAfter: Math.max(1, Math.ceil((oldest + MINUTE_MS - now) / 1000)) };
    }
    window.push({ at: now, points, creates });
    return { ok: true };
  }

  /** Concurrency: call `enter` when a request arrives and the returned function when it is answered. */
  enter(identity: string): { ok: true; leave: () => void } | { ok: false; retryAfter: number } {
    const current = this.inFlight.get(identity) ?? 0;
    if (this.primary.enabled && current >= this.secondary.maxConcurrent) {
      return { ok: false, retryAfter: this.secondary.retryAfterSeconds };
    }
    this.inFlight.set(identity, current + 1);
    let left = false;
    return {
      ok: true,
      leave: () => {
        if (left) return;
        left = true;
        this.inFlight.set(identity, (this.inFlight.get(identity) ?? 1) - 1);
      },
    };
  }

  force(identity: string | undefined): void {
    if (identity === undefined) {
      this.forcedAll = true;
      return;
    }
    const b = this.bucket(identity, this.buckets.get(identity)?.limit ?? this.primary.limit);
    b.forced = true;
  }

  forceSecondary(identity: string | undefined, requests: number, retryAfter: number | undefined): void {
    this.forcedSecondary.set(identity ?? '*', {
      remaining: requests,
      retryAfter: retryAfter ?? this.secondary.retryAfterSeconds,
    });
  }

  clear(): void {
    this.buckets.clear();
    this.recent.clear();
    this.forcedAll = false;
    this.forcedSecondary.clear();
  }
}

const LOG_MAX = 1000;

export class Counters {
  private c: CounterSnapshot = Counters.empty();
  private log: RequestLogEntry[] = [];

  private static empty(): CounterSnapshot {
    return {
      metered: 0,
      byIdentity: {},
      byToken: {},
      byEndpoint: {},
      notModified: 0,
      rateLimited: 0,
      secondaryRateLimited: 0,
      requests: 0,
    };
  }

  record(
    entry: RequestLogEntry & {
      token: string | null;
      outcome: 'metered' | 'not-modified' | 'primary' | 'secondary' | 'free';
    },
  ): void {
    this.c.requests += 1;
    if (entry.outcome === 'metered') {
      this.c.metered += 1;
      this.c.byIdentity[entry.identity] = (this.c.byIdentity[entry.identity] ?? 0) + 1;
      const token = entry.token ?? '(none)';
      this.c.byToken[token] = (this.c.byToken[token] ?? 0) + 1;
      const endpoint = entry.endpoint ?? `${entry.method} (unknown)`;
      this.c.byEndpoint[endpoint] = (this.c.byEndpoint[endpoint] ?? 0) + 1;
    } else if (entry.outcome === 'not-modified') this.c.notModified += 1;
    else if (entry.outcome === 'primary') this.c.rateLimited += 1;
    else if (entry.outcome === 'secondary') this.c.secondaryRateLimited += 1;
    this.log.push({
      method: entry.method,
      path: entry.path,
      endpoint: entry.endpoint,
      identity: entry.identity,
      status: entry.status,
      metered: entry.metered,
    });
    if (this.log.length > LOG_MAX) this.log.splice(0, this.log.length - LOG_MAX);
  }

  snapshot(): CounterSnapshot {
    return structuredClone(this.c);
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map(e => ({ ...e }));
  }

  reset(): void {
    this.c = Counters.empty();
    this.log = [];
  }
}
