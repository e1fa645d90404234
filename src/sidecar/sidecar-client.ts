import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import CircuitBreaker from "opossum";
import { Pool, errors as undiciErrors } from "undici";
import type { Dispatcher } from "undici";
import { errors } from "../lib/errors.js";
import { HEADERS } from "../lib/header-names.js";
import type { Logger } from "../lib/logger.js";
import type { GatewayMetrics } from "../metrics/metrics.js";
import type { Span } from "@opentelemetry/api";
import type { Tracing } from "../tracing/tracing.js";
import { encodePluginSettings } from "./plugin-settings.js";
import type { PluginSettingsPayload } from "./plugin-settings.js";

/** The headers through which the sidecar learns who is calling; clients can never set them. */
const SIDECAR_HEADERS = {
  workspace: HEADERS.sidecarWorkspace,
  user: HEADERS.sidecarUser,
  githubToken: HEADERS.sidecarGitHubToken,
  pluginSettings: HEADERS.sidecarPluginSettings,
} as const;

export interface SidecarCaller {
  readonly workspaceId: string;
  /** NO_USER ("") when the gateway acts for the workspace itself (a shared poller); no user header is sent then. */
  readonly userId: string;
  /** The user's own GitHub token, passed through a dedicated header and never logged. */
  readonly githubToken?: string;
  readonly requestId?: string;
}

export interface SidecarRequest {
  readonly pluginId: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Absolute path, already confined below the plugin's base path. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Already allow-listed. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly caller: SidecarCaller;
  /** The called plugin's settings in the caller's workspace; sent in their own header, never logged. */
  readonly pluginSettings?: PluginSettingsPayload;
  /** The caller's cancellation and deadline (Connect's context signal). */
  readonly signal: AbortSignal;
  /** Milliseconds left of the caller's deadline, if it set one. */
  readonly timeoutMs?: number;
  /** The RPC's span: the sidecar call is traced below it and its context travels upstream. */
  readonly parentSpan?: Span;
}

export interface SidecarResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface SidecarClientOptions {
  readonly baseUrl: string;
  readonly serviceToken: string;
  /** Upstream timeout when the caller set no deadline. */
  readonly defaultTimeoutMs: number;
  /** Extra attempts for idempotent GETs on connection failures or 503. */
  readonly getRetries: number;
  readonly breaker: { readonly resetTimeoutMs: number; readonly volumeThreshold: number; readonly errorThresholdPercentage: number };
  readonly maxResponseBytes: number;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly tracing: Tracing;
}

export interface SidecarClient {
  request(request: SidecarRequest): Promise<SidecarResponse>;
  /** Backstage's own readiness endpoint, for the gateway's readiness check. */
  ready(): Promise<void>;
  readonly circuit: "closed" | "open" | "half-open";
  close(): Promise<void>;
}

/** A failure of the sidecar itself (not of the call): counts against the circuit. */
class SidecarFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: Code,
  ) {
    super(message);
  }
}

/**
 * The one module that talks to the Backstage sidecar: a keep-alive pool, identity
 * headers from the verified token, the caller's deadline and cancellation carried
 * upstream, a circuit breaker that turns a dead sidecar into a fast UNAVAILABLE and
 * closes again once it answers, and small retries for idempotent reads only.
 */
export function createSidecarClient(options: SidecarClientOptions): SidecarClient {
  const pool = new Pool(options.baseUrl, { connections: 32, pipelining: 1, keepAliveTimeout: 30_000 });

  async function attempt(request: SidecarRequest): Promise<SidecarResponse> {
    const timeoutMs = Math.max(1, request.timeoutMs ?? options.defaultTimeoutMs);
    const deadline = callDeadline(request.signal, timeoutMs);
    const started = performance.now();
    const traced = options.tracing.startUpstream(`sidecar ${request.method} ${request.pluginId}`, request.parentSpan);
    let failure: { code: string; message: string } | undefined;
    const headers: Record<string, string> = {
      ...withoutIdentityHeaders(request.headers),
      ...traced.headers,
      authorization: `Bearer ${options.serviceToken}`,
      [SIDECAR_HEADERS.workspace]: request.caller.workspaceId,
    };
    if (request.caller.userId) headers[SIDECAR_HEADERS.user] = request.caller.userId;
    if (request.pluginSettings) headers[SIDECAR_HEADERS.pluginSettings] = encodePluginSettings(request.pluginSettings);
    if (request.caller.githubToken) headers[SIDECAR_HEADERS.githubToken] = request.caller.githubToken;
    if (request.caller.requestId) headers[HEADERS.requestId] = request.caller.requestId;
    try {
      const response = await pool.request({
        method: request.method,
        path: request.path,
        query: request.query,
        headers,
        body: request.body && request.body.byteLength > 0 ? Buffer.from(request.body) : null,
        signal: deadline.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await readLimited(response, options.maxResponseBytes);
      options.metrics.backstageLatency.observe(
        { plugin: request.pluginId, status: `${Math.floor(response.statusCode / 100)}xx` },
        (performance.now() - started) / 1000,
      );
      const gatewayStatus = response.statusCode === 502 || response.statusCode === 503 || response.statusCode === 504;
      // A plugin reporting that ITS upstream (GitHub, Jira) fails answers in Backstage's
      // error shape: that is the plugin's answer, not a failing sidecar, so it neither
      // opens the circuit (other plugins keep working) nor is retried (no extra load on
      // a struggling upstream).
      if (gatewayStatus && !isPluginErrorAnswer(response.headers, body)) {
        throw new SidecarFailure(`the sidecar answered HTTP ${response.statusCode}`, response.statusCode === 503, Code.Unavailable);
      }
      // A starting Backstage listens before its plugins are mounted and answers their routes
      // with a bare 404, as it does for a path no plugin serves. Only its readiness tells the two apart.
      if (response.statusCode === 404 && !isPluginErrorAnswer(response.headers, body) && !(await isReady())) {
        throw new SidecarFailure("the plugin sidecar is still starting", true, Code.Unavailable);
      }
      if (response.statusCode >= 500) failure = { code: `http_${response.statusCode}`, message: "upstream error" };
      return { status: response.statusCode, headers: flatten(response.headers), body };
    } catch (error) {
      failure = { code: "error", message: (error as Error).message };
      if (error instanceof SidecarFailure || error instanceof ConnectError) throw error;
      if (request.signal.aborted) {
        // The caller went away or its deadline passed: not the sidecar's fault.
        throw ConnectError.from(request.signal.reason ?? error, Code.Canceled);
      }
      if (deadline.timedOut || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
        throw new SidecarFailure(`the sidecar did not answer within ${timeoutMs} ms`, false, Code.DeadlineExceeded);
      }
      throw new SidecarFailure(`the sidecar cannot be reached (${describe(error)})`, true, Code.Unavailable);
    } finally {
      deadline.release();
      options.tracing.end(traced.span, failure);
    }
  }

  async function readiness(): Promise<void> {
    const response = await pool.request({
      method: "GET",
      path: "/.backstage/health/v1/readiness",
      headersTimeout: 2_000,
      bodyTimeout: 2_000,
    });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`sidecar readiness answered HTTP ${response.statusCode}`);
  }
  const isReady = () =>
    readiness().then(
      () => true,
      () => false,
    );

  const breaker = new CircuitBreaker(attempt, {
    timeout: false,
    resetTimeout: options.breaker.resetTimeoutMs,
    volumeThreshold: options.breaker.volumeThreshold,
    errorThresholdPercentage: options.breaker.errorThresholdPercentage,
    // Only failures of the sidecar itself open the circuit; cancelled calls do not.
    errorFilter: (error: unknown) => !(error instanceof SidecarFailure),
  });
  breaker.on("open", () => options.logger.warn("sidecar circuit opened: failing fast until it answers again"));
  breaker.on("close", () => options.logger.info("sidecar circuit closed: the sidecar answers again"));

  async function request(request: SidecarRequest): Promise<SidecarResponse> {
    const attempts = request.method === "GET" ? 1 + options.getRetries : 1;
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        return await breaker.fire(request);
      } catch (error) {
        // Open, or half-open with its one probe already out: opossum refuses the call itself.
        if (isCircuitRejection(error)) {
          options.metrics.backstageErrors.inc({ plugin: request.pluginId, reason: "circuit_open" });
          throw errors.sidecarCircuitOpen();
        }
        if (!(error instanceof SidecarFailure)) throw error;
        options.metrics.backstageErrors.inc({ plugin: request.pluginId, reason: Code[error.code].toLowerCase() });
        if (!error.retryable || attemptNo >= attempts || request.signal.aborted) {
          throw errors.sidecarUnavailable(error.message, error.code);
        }
        await delay(25 * 2 ** attemptNo, undefined, { signal: request.signal }).catch(() => undefined);
      }
    }
  }

  return {
    request,
    ready: readiness,
    get circuit() {
      return breaker.opened ? "open" : breaker.halfOpen ? "half-open" : "closed";
    },
    async close() {
      breaker.shutdown();
      await pool.close();
    },
  };
}

/** The caller's cancellation and the call's own timeout, as one signal for undici. */
interface CallDeadline {
  readonly signal: AbortSignal;
  /** True once the timeout (not the caller) ended the call. */
  readonly timedOut: boolean;
  /** Clears the timer and the caller's listener: call when the call is over. */
  release(): void;
}

/**
 * One controller, one timer cleared when the call ends, one listener on the caller's
 * signal. Cheaper per call than AbortSignal.timeout + AbortSignal.any: their timer and
 * composite signal outlive a call that ended long before the timeout (tens of thousands
 * of live timers and weak references at a thousand calls a second, aged into the old
 * generation and collected there).
 */
function callDeadline(callerSignal: AbortSignal, timeoutMs: number): CallDeadline {
  const controller = new AbortController();
  let timedOut = false;
  if (callerSignal.aborted) {
    controller.abort(callerSignal.reason);
    return { signal: controller.signal, timedOut, release: () => undefined };
  }
  const onCallerAbort = () => controller.abort(callerSignal.reason);
  callerSignal.addEventListener("abort", onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`the sidecar did not answer within ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    release() {
      clearTimeout(timer);
      callerSignal.removeEventListener("abort", onCallerAbort);
    },
  };
}

/**
 * The answer's body, refused past `limit` bytes. Read with stream events rather than an
 * async iterator (which costs a promise and a result object per chunk, and listeners per call).
 */
function readLimited(response: Dispatcher.ResponseData, limit: number): Promise<Uint8Array> {
  const body = response.body;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        body.destroy();
        reject(errors.pluginAnswerTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    // Always a copy: a chunk is a view into the socket's read buffer, which a cached answer must not keep alive.
    body.once("end", () => resolve(Buffer.concat(chunks, size)));
    body.once("error", reject);
  });
}

/** Backstage's JSON error body: {"error":{"name","message"},…,"response":{"statusCode"}}. */
function isPluginErrorAnswer(headers: Record<string, string | string[] | undefined>, body: Uint8Array): boolean {
  const contentType = headers["content-type"];
  if (typeof contentType !== "string" || !contentType.includes("application/json")) return false;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as {
      error?: { name?: unknown; message?: unknown };
      response?: { statusCode?: unknown };
    };
    return (
      typeof parsed.error?.name === "string" && typeof parsed.error.message === "string" && typeof parsed.response?.statusCode === "number"
    );
  } catch {
    return false;
  }
}

/**
 * Only the gateway sets identity and settings headers; whatever a caller put in the
 * allow-listed headers under these names is dropped (the allow-list refuses them
 * already; this keeps the rule true for every caller of the client).
 */
function withoutIdentityHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  if (headers === undefined) return kept;
  for (const name in headers) {
    if (!IDENTITY_HEADERS.has(name.toLowerCase())) kept[name] = headers[name] as string;
  }
  return kept;
}
const IDENTITY_HEADERS = new Set<string>([...Object.values(SIDECAR_HEADERS), HEADERS.authorization]);

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : (error as Error).message;
}

/** opossum's refusal of a call while the circuit is open or half-open (EOPENBREAKER), as opposed to a failed call. */
function isCircuitRejection(error: unknown): boolean {
  return !(error instanceof SidecarFailure) && (error as { code?: unknown } | null)?.code === "EOPENBREAKER";
}
