import { Code } from "@connectrpc/connect";
import type { ConnectError } from "@connectrpc/connect";
import { errors } from "../lib/errors.js";
import { HEADERS } from "../lib/header-names.js";

/**
 * How an upstream HTTP status reaches the caller: the Connect code that means the
 * same thing, with the upstream's own message kept so it stays actionable.
 */
export function codeForUpstreamStatus(status: number): Code {
  if (status === 400 || status === 422) return Code.InvalidArgument;
  if (status === 401 || status === 403) return Code.PermissionDenied;
  if (status === 404) return Code.NotFound;
  if (status === 409) return Code.Aborted;
  if (status === 412) return Code.FailedPrecondition;
  if (status === 429) return Code.ResourceExhausted;
  if (status === 408 || status === 504) return Code.DeadlineExceeded;
  if (status >= 500) return Code.Unavailable;
  return Code.Unknown;
}

/**
 * The Connect error for a plugin's error answer. A 429 (GitHub's rate limit, as the
 * plugins report it) or a 503 with `Retry-After` carries the wait like the gateway's own
 * rate limiter does: a google.rpc.RetryInfo detail and a `retry-after` header (seconds).
 */
export function upstreamError(
  pluginId: string,
  status: number,
  body: Uint8Array,
  headers: Readonly<Record<string, string>> = {},
): ConnectError {
  const detail = messageFrom(body);
  const message = `plugin "${pluginId}" answered HTTP ${status}${detail ? `: ${detail}` : ""}`;
  const code = codeForUpstreamStatus(status);
  // 429 (a rate limit) and 503 (e.g. the sidecar's stock plugin processes all busy) may say when to come back.
  const retryAfterSeconds = code === Code.ResourceExhausted || status === 503 ? retryAfterOf(headers[HEADERS.retryAfter]) : undefined;
  if (retryAfterSeconds === undefined) return errors.pluginError(pluginId, status, code, message);
  return errors.pluginError(pluginId, status, code, `${message} (retry in ${retryAfterSeconds}s)`, retryAfterSeconds);
}

/** `Retry-After` as delay-seconds or an HTTP date, in whole seconds (at least 1). */
export function retryAfterOf(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.max(1, Number(trimmed));
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}

/** Backstage errors look like {"error":{"message":…}}; others {"message":…} or text. */
function messageFrom(body: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(body).trim();
  if (text === "") return undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === "object" && parsed.error !== null ? parsed.error.message : (parsed.message ?? parsed.error);
    if (typeof message === "string") return truncate(message);
  } catch {
    // not JSON: fall through to the text itself
  }
  return truncate(text);
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
