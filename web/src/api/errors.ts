import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";

/** What the UI shows for a failed call: the gateway's own message and what the user can do. */
export interface ExplainedError {
  readonly code: Code;
  readonly title: string;
  readonly message: string;
  readonly advice: string;
  /** Seconds until a retry may succeed (RESOURCE_EXHAUSTED with google.rpc.RetryInfo). */
  readonly retryAfterSeconds?: number;
  /** Messages per field, from a google.rpc.BadRequest detail or a message naming the field. */
  readonly fields: Readonly<Record<string, string>>;
}

const ADVICE: Partial<Record<Code, [title: string, advice: string]>> = {
  [Code.ResourceExhausted]: ["Rate limit reached", "Wait until the limit resets, then retry."],
  [Code.PermissionDenied]: [
    "Not allowed",
    "This needs rights you do not have here (workspace admin, or GitHub access to the repository). Ask a workspace admin.",
  ],
  [Code.Unauthenticated]: ["Signed out", "Your session token is missing or expired: reload the page to sign in again."],
  [Code.FailedPrecondition]: ["Not possible right now", "Check the plugin is enabled and the prerequisites named above are met."],
  [Code.InvalidArgument]: ["Check the input", "Correct the highlighted value and try again."],
  [Code.NotFound]: ["Not found", "Check the name; it may have been removed or never existed."],
  [Code.Aborted]: ["Changed meanwhile", "Someone else changed this just now: reload it and apply your change again."],
  [Code.Unavailable]: ["Service unavailable", "The gateway or the plugin is not reachable right now; retry in a moment."],
  [Code.DeadlineExceeded]: ["Timed out", "GitHub or the plugin took too long; retry in a moment."],
  [Code.Unimplemented]: ["Not supported", "This gateway does not offer this call; it may need an upgrade."],
  [Code.Internal]: ["Unexpected error", "Retry; if it persists, report it to the platform team with the time it happened."],
};

/**
 * `knownFields` (camelCase, as the form names them): the one a refusal's message names
 * first is marked — the gateway writes `environment.github_environment must …`, the
 * plugin `workflow: deploy.yml was not found …` or `versionInput "v": …`.
 */
export function explainError(error: unknown, knownFields: readonly string[] = []): ExplainedError {
  const connectError = ConnectError.from(error);
  const [title, advice] = ADVICE[connectError.code] ?? ["Something went wrong", "Retry in a moment."];
  const retry = connectError.findDetails(RetryInfoSchema)[0]?.retryDelay;
  const retryAfterSeconds = retry ? Math.max(1, Math.ceil(Number(retry.seconds) + retry.nanos / 1e9)) : retryAfterHeader(connectError);
  const fields: Record<string, string> = {};
  for (const detail of connectError.findDetails(BadRequestSchema)) {
    for (const violation of detail.fieldViolations) fields[fieldKey(violation.field)] = violation.description;
  }
  if (connectError.code === Code.InvalidArgument || connectError.code === Code.NotFound) {
    const named = firstFieldNamed(connectError.rawMessage, knownFields);
    // On the field, the plugin's own words are enough.
    if (named) fields[named] ??= connectError.rawMessage.replace(/^plugin "[^"]+" answered HTTP \d+: /, "");
  }
  return {
    code: connectError.code,
    title,
    message: connectError.rawMessage || "the call failed without a message",
    advice:
      retryAfterSeconds !== undefined && connectError.code === Code.ResourceExhausted ? `Retry in ${duration(retryAfterSeconds)}.` : advice,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    fields,
  };
}

/** 42 → "42 s", 3586 → "59 min 46 s", 7300 → "2 h 2 min". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ""}`;
  const minutes = Math.round((seconds % 3600) / 60);
  return `${Math.floor(seconds / 3600)} h${minutes ? ` ${minutes} min` : ""}`;
}

function firstFieldNamed(message: string, knownFields: readonly string[]): string | undefined {
  let first: { field: string; at: number } | undefined;
  for (const field of knownFields) {
    const snake = field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    const mention = new RegExp(`(?:^|[\\s:(])(?:environment\\.)?(?:${snake}|${field})(?=[:\\s"]|$)`).exec(message);
    if (mention && (!first || mention.index < first.at)) first = { field, at: mention.index };
  }
  return first?.field;
}

function retryAfterHeader(error: ConnectError): number | undefined {
  const value = Number(error.metadata.get("retry-after"));
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}

/** `environment.github_environment`, `githubEnvironment` and `github_environment` name one field. */
export function fieldKey(name: string): string {
  return name.replace(/^environment\./, "").replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}
