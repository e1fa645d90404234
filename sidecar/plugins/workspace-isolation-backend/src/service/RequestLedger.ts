import { createServiceFactory, createServiceRef } from '@backstage/backend-plugin-api';

/** Counts of plugin requests received since the sidecar started. */
export interface RequestCounts {
  /** Every request that reached a workspace-isolated plugin router. */
  total: number;
  /** The same requests by URL path (query string removed). */
  byPath: Record<string, number>;
}

/**
 * Root-scoped tally of the requests that reached workspace-isolated plugin
 * routes, shared by all plugins. Served at `GET /.orbit/requests` so tests can
 * prove that a request was (or was not) forwarded to the sidecar.
 */
export interface RequestLedgerService {
  record(path: string): void;
  snapshot(): RequestCounts;
}

/** Distinct paths tracked individually; the rest are summed under OTHER_PATHS. */
const MAX_DISTINCT_PATHS = 1000;
const OTHER_PATHS = '(other)';

class InMemoryRequestLedger implements RequestLedgerService {
  #total = 0;
  readonly #byPath = new Map<string, number>();

  record(path: string): void {
    this.#total += 1;
    const key = this.#byPath.has(path) || this.#byPath.size < MAX_DISTINCT_PATHS ? path : OTHER_PATHS;
    this.#byPath.set(key, (this.#byPath.get(key) ?? 0) + 1);
  }

  snapshot(): RequestCounts {
    return { total: this.#total, byPath: Object.fromEntries(this.#byPath) };
  }
}

export const requestLedgerServiceRef = createServiceRef<RequestLedgerService>({
  id: 'orbit.workspaceIsolation.requestLedger',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => new InMemoryRequestLedger(),
    }),
});
