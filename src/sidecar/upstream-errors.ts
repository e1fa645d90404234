import { Code, ConnectError } from "@connectrpc/connect";

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

export function upstreamError(pluginId: string, status: number, body: Uint8Array): ConnectError {
  const detail = messageFrom(body);
  return new ConnectError(
    `plugin "${pluginId}" answered HTTP ${status}${detail ? `: ${detail}` : ""}`,
    codeForUpstreamStatus(status),
  );
}

/** Backstage errors look like {"error":{"message":…}}; others {"message":…} or text. */
function messageFrom(body: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(body).trim();
  if (text === "") return undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message =
      typeof parsed.error === "object" && parsed.error !== null ? parsed.error.message : parsed.message ?? parsed.error;
    if (typeof message === "string") return truncate(message);
  } catch {
    // not JSON: fall through to the text itself
  }
  return truncate(text);
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
