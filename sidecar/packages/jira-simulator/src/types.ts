/** Public types of the Jira Cloud simulator: its seed, options and control API. */

export interface JiraAccountSeed {
  /** The login email; Basic auth is `email:apiToken`. */
  email: string;
  /** API tokens of this account (any string; `ATATT3x…` looks realistic). */
  apiTokens: string[];
  displayName: string;
  /** Default: derived from the email. */
  accountId?: string;
  /** Default true. Deactivated accounts cannot authenticate. */
  active?: boolean;
  /** Offset of the account's time zone; `created` is rendered in it, like Jira does (default 0). */
  utcOffsetMinutes?: number;
}

export interface JiraIssueSeed {
  summary: string;
  /** A status name of the simulator (`To Do`, `In Progress`, `In Review`, `Done`). */
  status: string;
  /** Email of a seeded account, or null/absent for unassigned. */
  assignee?: string | null;
  /** ISO 8601 date-time. */
  created: string;
  /** Default: the next number of the project. */
  number?: number;
}

export interface JiraProjectSeed {
  key: string;
  name: string;
  id?: number;
  /** Emails of the accounts that may browse the project; default: every account. */
  visibleTo?: string[];
  issues: JiraIssueSeed[];
}

export interface JiraSeed {
  accounts: JiraAccountSeed[];
  projects: JiraProjectSeed[];
}

export interface JiraSimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A seed, or `'demo'` (default) for `demoJiraSeed()`. */
  seed?: JiraSeed | 'demo';
}

export interface JiraRequestLogEntry {
  method: string;
  /** Path and query as received. */
  url: string;
  /** Email of the authenticated account, or null. */
  account: string | null;
  status: number;
}

export interface FailNextOptions {
  /** How many following API requests fail (default 1). */
  count?: number;
  /** `Retry-After` seconds (sent when set; Jira sends it with 429 and some 503s). */
  retryAfterSeconds?: number;
}

/** The in-process control API; the same operations are served over HTTP under `/_simulator/`. */
export interface JiraSimulatorControl {
  /** Add accounts and projects (a project with an existing key is replaced). */
  seed(seed: JiraSeed): void;
  /** Back to the initial seed; clears injected failures, held requests and the log. */
  reset(): void;
  /** Answer the next API request(s) with this status and Jira's error body (e.g. 403, 429, 500, 503). */
  failNext(status: number, options?: FailNextOptions): void;
  /**
   * Park API requests (after they arrive, before they are answered) until the
   * returned function is called. For deterministic timeout tests.
   */
  hold(): () => void;
  /** Resolves once at least `count` requests are parked. */
  waitForHeldRequests(count: number): Promise<void>;
  /** API requests received (control endpoints excluded), oldest first. */
  requestLog(): JiraRequestLogEntry[];
}

export interface JiraSimulator {
  /** `http://127.0.0.1:<port>`: the "site" URL (a workspace's Jira `base_url`). */
  url: string;
  control: JiraSimulatorControl;
  close(): Promise<void>;
}
