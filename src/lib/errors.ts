import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";

/**
 * The error catalogue: every error the gateway itself raises is built here, so codes
 * and wording stay consistent and every message tells the caller what to do.
 * Messages never include tokens, secrets or internal details.
 */
export const errors = {
  missingToken: () =>
    new ConnectError(
      'missing credentials: send "Authorization: Bearer <Orbit service token>"',
      Code.Unauthenticated,
    ),
  invalidToken: (reason: string) => new ConnectError(`invalid service token: ${reason}`, Code.Unauthenticated),

  tokenWithoutWorkspace: () =>
    new ConnectError(
      "the service token carries no workspace (wid claim); mint one for the workspace you act in",
      Code.PermissionDenied,
    ),
  workspaceMismatch: (requested: string) =>
    new ConnectError(
      `the service token is not valid for workspace "${requested}"; workspace_id must equal the token's wid`,
      Code.PermissionDenied,
    ),
  adminRequired: (procedure: string) =>
    new ConnectError(
      `${procedure} changes workspace configuration and needs an admin token (adm: true or role: "admin")`,
      Code.PermissionDenied,
    ),

  missingField: (field: string) => new ConnectError(`${field} is required`, Code.InvalidArgument),
  invalidField: (field: string, why: string) => new ConnectError(`${field} ${why}`, Code.InvalidArgument),

  pluginNotFound: (pluginId: string) =>
    new ConnectError(`no plugin "${pluginId}" in the catalogue; ListPlugins shows the available ids`, Code.NotFound),

  pluginDisabled: (pluginId: string) =>
    new ConnectError(
      `plugin "${pluginId}" is disabled in this workspace; a workspace admin can enable it with EnablePlugin`,
      Code.FailedPrecondition,
    ),

  rateLimited: (retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return new ConnectError(
      `rate limit exceeded for this workspace; retry in ${seconds}s`,
      Code.ResourceExhausted,
      undefined,
      [
        {
          desc: RetryInfoSchema,
          value: { retryDelay: create(DurationSchema, { seconds: BigInt(seconds), nanos: 0 }) },
        },
      ],
    );
  },
  rateLimitStoreUnavailable: () =>
    new ConnectError(
      "rate limiting is unavailable (its store cannot be reached) and the gateway is configured to fail closed; retry shortly",
      Code.Unavailable,
    ),

  procedureNotFound: (path: string) =>
    new ConnectError(
      `no procedure at ${path}; the gateway serves idp.plugins.v1.PluginsService and idp.plugins.v1.DeploymentService (see server reflection)`,
      Code.Unimplemented,
    ),
  noSidecar: () =>
    new ConnectError("this gateway has no plugin sidecar configured (BACKSTAGE_URL); ask its operator", Code.Unavailable),
  shuttingDown: () => new ConnectError("the gateway is shutting down; retry on another replica", Code.Unavailable),
} as const;
