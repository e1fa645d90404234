import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequest_FieldViolationSchema, BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";
import { HEADERS } from "./header-names.js";

/**
 * The error catalogue: every error the gateway itself raises is built here, so codes
 * and wording stay consistent and every message tells the caller what to do.
 * Messages never include tokens, secrets or internal details.
 *
 * Each error carries a `google.rpc.ErrorInfo` detail with a stable reason (below) in
 * the gateway's domain, so clients can branch on the reason instead of the wording;
 * invalid fields add a `google.rpc.BadRequest`, waits a `google.rpc.RetryInfo`.
 *
 * To add an error: add its reason to `REASONS`, then one builder to `errors` that
 * calls `failure(reason, code, message, …)`.
 */

/** ErrorInfo.domain of every error the gateway raises. */
export const ERROR_DOMAIN = "plugins.orbit.idp";

/** The stable reasons (ErrorInfo.reason): UPPER_SNAKE_CASE, never renamed once shipped. */
export const REASONS = [
  "MISSING_TOKEN",
  "INVALID_TOKEN",
  "TOKEN_WITHOUT_WORKSPACE",
  "WORKSPACE_MISMATCH",
  "ADMIN_REQUIRED",
  "INVALID_FIELD",
  "INVALID_PLUGIN_CONFIG",
  "INVALID_HTTP_REQUEST",
  "PROTOCOL_ERROR",
  "PROCEDURE_NOT_FOUND",
  "UNKNOWN_HEALTH_SERVICE",
  "PLUGIN_NOT_FOUND",
  "PLUGIN_DISABLED",
  "RATE_LIMITED",
  "RATE_LIMIT_STORE_UNAVAILABLE",
  "CONFIG_VERSION_CONFLICT",
  "STATE_DATABASE_UNAVAILABLE",
  "SECRETS_KEY_RING_MISSING",
  "SECRET_UNDECRYPTABLE",
  "NO_SIDECAR",
  "SIDECAR_UNAVAILABLE",
  "SIDECAR_CIRCUIT_OPEN",
  "PLUGIN_ERROR",
  "PLUGIN_ANSWER_TOO_LARGE",
  "PLUGIN_ANSWER_NOT_JSON",
  "PIPELINE_POLLER_FAILED",
  "SHUTTING_DOWN",
  "INTERNAL",
] as const;
export type Reason = (typeof REASONS)[number];

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

interface FailureExtras {
  /** ErrorInfo.metadata: identifiers a client may act on (plugin id, HTTP status); never secrets. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly fieldViolations?: readonly FieldViolation[];
  readonly retryAfterSeconds?: number;
  /** Response metadata (e.g. `retry-after`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The one place a ConnectError is made: code, message and the google.rpc details. */
export function failure(reason: Reason, code: Code, message: string, extras: FailureExtras = {}): ConnectError {
  const details: ConstructorParameters<typeof ConnectError>[3] = [
    { desc: ErrorInfoSchema, value: { reason, domain: ERROR_DOMAIN, metadata: { ...extras.metadata } } },
  ];
  if (extras.fieldViolations?.length) {
    details.push({
      desc: BadRequestSchema,
      value: { fieldViolations: extras.fieldViolations.map((violation) => create(BadRequest_FieldViolationSchema, violation)) },
    });
  }
  if (extras.retryAfterSeconds !== undefined) {
    details.push({
      desc: RetryInfoSchema,
      value: { retryDelay: create(DurationSchema, { seconds: BigInt(extras.retryAfterSeconds), nanos: 0 }) },
    });
  }
  return new ConnectError(message, code, extras.headers, details);
}

/** The reason of an error built here (undefined for anything else). */
export function reasonOf(error: ConnectError): Reason | undefined {
  const [info] = error.findDetails(ErrorInfoSchema);
  return info?.domain === ERROR_DOMAIN ? (info.reason as Reason) : undefined;
}

const invalid = (field: string, description: string, message = `${field} ${description}`) =>
  failure("INVALID_FIELD", Code.InvalidArgument, message, { fieldViolations: [{ field, description }] });

export const errors = {
  missingToken: () =>
    failure("MISSING_TOKEN", Code.Unauthenticated, 'missing credentials: send "Authorization: Bearer <Orbit service token>"'),
  invalidToken: (reason: string) => failure("INVALID_TOKEN", Code.Unauthenticated, `invalid service token: ${reason}`),

  tokenWithoutWorkspace: () =>
    failure(
      "TOKEN_WITHOUT_WORKSPACE",
      Code.PermissionDenied,
      "the service token carries no workspace (wid claim); mint one for the workspace you act in",
    ),
  workspaceMismatch: (requested: string) =>
    failure(
      "WORKSPACE_MISMATCH",
      Code.PermissionDenied,
      `the service token is not valid for workspace "${requested}"; workspace_id must equal the token's wid`,
    ),
  adminRequired: (procedure: string) =>
    failure(
      "ADMIN_REQUIRED",
      Code.PermissionDenied,
      `${procedure} changes workspace configuration and needs an admin token (adm: true or role: "admin")`,
    ),

  missingField: (field: string) => invalid(field, "is required"),
  invalidField: (field: string, why: string) => invalid(field, why),
  invalidPluginConfig: (pluginId: string, violations: readonly FieldViolation[]) =>
    failure(
      "INVALID_PLUGIN_CONFIG",
      Code.InvalidArgument,
      `invalid configuration for plugin "${pluginId}": ${violations.map((violation) => `${violation.field} ${violation.description}`).join("; ")}`,
      { metadata: { pluginId }, fieldViolations: violations },
    ),
  /** A request Fastify refused before any handler (unparseable, too large); 5xx says no more than the request id. */
  invalidHttpRequest: (status: number, message: string) =>
    status >= 500
      ? failure("INTERNAL", Code.Internal, "internal error; the request id is in the X-Request-Id header")
      : failure("INVALID_HTTP_REQUEST", status === 413 ? Code.ResourceExhausted : Code.InvalidArgument, message),
  /** Connect's own wording for a server-streaming call without exactly one request message. */
  protocolError: (problem: "missing" | "extra", procedure: string) =>
    failure(
      "PROTOCOL_ERROR",
      Code.Unimplemented,
      `protocol error: ${problem === "missing" ? "missing" : "received extra"} input message for ${procedure}`,
    ),
  procedureNotFound: (path: string) =>
    failure(
      "PROCEDURE_NOT_FOUND",
      Code.Unimplemented,
      `no procedure at ${path}; the gateway serves idp.plugins.v1.PluginsService and idp.plugins.v1.DeploymentService (see server reflection)`,
    ),
  unknownHealthService: (service: string) => failure("UNKNOWN_HEALTH_SERVICE", Code.NotFound, `unknown service "${service}"`),

  pluginNotFound: (pluginId: string) =>
    failure("PLUGIN_NOT_FOUND", Code.NotFound, `no plugin "${pluginId}" in the catalogue; ListPlugins shows the available ids`, {
      metadata: { pluginId },
    }),
  pluginDisabled: (pluginId: string) =>
    failure(
      "PLUGIN_DISABLED",
      Code.FailedPrecondition,
      `plugin "${pluginId}" is disabled in this workspace; a workspace admin can enable it with EnablePlugin`,
      { metadata: { pluginId } },
    ),

  rateLimited: (retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return failure("RATE_LIMITED", Code.ResourceExhausted, `rate limit exceeded for this workspace; retry in ${seconds}s`, {
      retryAfterSeconds: seconds,
    });
  },
  rateLimitStoreUnavailable: () =>
    failure(
      "RATE_LIMIT_STORE_UNAVAILABLE",
      Code.Unavailable,
      "rate limiting is unavailable (its store cannot be reached) and the gateway is configured to fail closed; retry shortly",
    ),

  configVersionConflict: (detail: string) =>
    failure("CONFIG_VERSION_CONFLICT", Code.Aborted, `${detail}; read the plugin again and retry with its config_version`),
  stateDatabaseUnavailable: () =>
    failure("STATE_DATABASE_UNAVAILABLE", Code.Unavailable, "the gateway cannot reach its plugin state database right now; retry shortly"),
  secretsKeyRingMissing: () =>
    failure(
      "SECRETS_KEY_RING_MISSING",
      Code.FailedPrecondition,
      "plugin secrets cannot be stored: the gateway has no key ring (ORBIT_SECRETS_KEYS); ask its operator to configure one",
    ),
  secretUndecryptable: () =>
    failure("SECRET_UNDECRYPTABLE", Code.Internal, "a stored plugin secret could not be decrypted; the operator has been told"),

  noSidecar: () =>
    failure("NO_SIDECAR", Code.Unavailable, "this gateway has no plugin sidecar configured (BACKSTAGE_URL); ask its operator"),
  /** The sidecar did not answer usefully (unreachable, starting, timed out); `code` says which. */
  sidecarUnavailable: (message: string, code: Code) => failure("SIDECAR_UNAVAILABLE", code, message),
  sidecarCircuitOpen: () =>
    failure(
      "SIDECAR_CIRCUIT_OPEN",
      Code.Unavailable,
      "the plugin sidecar is unavailable (failing fast after repeated failures); retry in a few seconds",
    ),
  /** A plugin's error answer: the code that means the same as its HTTP status, its own message kept. */
  pluginError: (pluginId: string, status: number, code: Code, message: string, retryAfterSeconds?: number) =>
    failure("PLUGIN_ERROR", code, message, {
      metadata: { pluginId, httpStatus: String(status) },
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds, headers: { [HEADERS.retryAfter]: String(retryAfterSeconds) } }),
    }),
  pluginAnswerTooLarge: (limit: number) =>
    failure("PLUGIN_ANSWER_TOO_LARGE", Code.ResourceExhausted, `the plugin's answer is larger than ${limit} bytes`),
  pluginAnswerNotJson: (pluginId: string) =>
    failure("PLUGIN_ANSWER_NOT_JSON", Code.Internal, `plugin "${pluginId}" answered with a body that is not a JSON object`, {
      metadata: { pluginId },
    }),
  pipelinePollerFailed: () => failure("PIPELINE_POLLER_FAILED", Code.Internal, "the pipeline poller failed"),

  shuttingDown: () => failure("SHUTTING_DOWN", Code.Unavailable, "the gateway is shutting down; retry on another replica"),
} as const;
