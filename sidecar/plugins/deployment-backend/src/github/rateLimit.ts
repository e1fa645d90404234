/**
 * GitHub's rate-limit headers, read from every answer (304s included), and the
 * board that keeps the last reading per credential for the
 * `github_rate_limit_remaining` gauge.
 */
import { metrics, type Meter } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';

/** What `x-ratelimit-*` says about the credential's quota. */
export interface RateLimitInfo {
  readonly limit: number;
  readonly remaining: number;
  readonly used: number;
  /** Epoch seconds when the window resets. */
  readonly reset: number;
  /** e.g. `core`, `search`, `graphql`; `core` when GitHub does not say. */
  readonly resource: string;
}

type HeaderReader = { get(name: string): string | null };

const integer = (value: string | null): number | undefined => {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
};

/** The rate-limit headers, or null when absent (GHES with rate limits disabled). */
export function parseRateLimit(headers: HeaderReader): RateLimitInfo | null {
  const limit = integer(headers.get('x-ratelimit-limit'));
  const remaining = integer(headers.get('x-ratelimit-remaining'));
  const reset = integer(headers.get('x-ratelimit-reset'));
  if (limit === undefined || remaining === undefined || reset === undefined) return null;
  return {
    limit,
    remaining,
    reset,
    used: integer(headers.get('x-ratelimit-used')) ?? Math.max(0, limit - remaining),
    resource: headers.get('x-ratelimit-resource')?.trim() || 'core',
  };
}

/**
 * Last known quota per (credential identity, resource). The gauge reports, per
 * resource, the lowest remaining quota among credentials whose window has not
 * reset yet: the credential closest to exhaustion is what operators act on,
 * and labelling by identity would make the label set unbounded.
 */
export class RateLimitBoard {
  private readonly entries = new LRUCache<string, RateLimitInfo>({ max: 1000 });

  record(identity: string, info: RateLimitInfo | null): void {
    if (info) this.entries.set(`${identity}\u0000${info.resource}`, info);
  }

  /** resource → lowest remaining, ignoring readings whose window has reset. */
  lowestRemaining(nowSeconds: number): Map<string, number> {
    const lowest = new Map<string, number>();
    for (const info of this.entries.values()) {
      if (info.reset <= nowSeconds) continue;
      const current = lowest.get(info.resource);
      if (current === undefined || info.remaining < current) lowest.set(info.resource, info.remaining);
    }
    return lowest;
  }
}

export const METER_NAME = 'orbit-deployment';
export const RATE_LIMIT_GAUGE = 'github_rate_limit_remaining';

/** Registers the observable gauge `github_rate_limit_remaining{resource}` reading `board`. */
export function observeRateLimits(board: RateLimitBoard, meter: Meter = metrics.getMeter(METER_NAME)): void {
  const gauge = meter.createObservableGauge(RATE_LIMIT_GAUGE, {
    description: 'GitHub API requests left in the current rate-limit window (lowest among the credentials in use)',
    unit: '{request}',
  });
  gauge.addCallback(result => {
    for (const [resource, remaining] of board.lowestRemaining(Date.now() / 1000)) {
      result.observe(remaining, { resource });
    }
  });
}
