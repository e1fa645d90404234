import type { Interceptor } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { errors } from "../lib/errors.js";
import { authOutcomeKey, identityKey, rateDecisionKey } from "../lib/context-keys.js";
import { procedureName, requiresAdmin, workspaceFieldOf } from "./access-policy.js";

/**
 * The one place where a call is let in or refused: rate limit first (so guessing
 * tokens is throttled too), then authentication, then workspace and admin checks.
 * On success it sets the caller's Identity in the context; handlers read only that.
 */
export function createGateInterceptor(): Interceptor {
  return (next) => async (request) => {
    const decision = request.contextValues.get(rateDecisionKey);
    if (decision.kind === "exceeded") throw errors.rateLimited(decision.retryAfterMs);
    if (decision.kind === "store-unavailable" && decision.failClosed) throw errors.rateLimitStoreUnavailable();

    const outcome = request.contextValues.get(authOutcomeKey);
    if (outcome.kind === "missing") throw errors.missingToken();
    if (outcome.kind === "rejected") throw errors.invalidToken(outcome.reason);
    const { identity } = outcome;
    request.contextValues.set(identityKey, identity);

    const workspaceField = workspaceFieldOf(request.method);
    if (workspaceField !== undefined) {
      let message: unknown = request.message;
      if (request.stream) {
        if (request.method.methodKind !== "server_streaming") {
          throw new Error(`${procedureName(request.method)}: workspace checks for client streams are not supported`);
        }
        // A server stream's request is one message: read it to check, then hand it on.
        message = await singleMessage(request.message, procedureName(request.method));
        request = { ...request, message: createAsyncIterable([message]) } as typeof request;
      }
      const requested = (message as Record<string, unknown>)[workspaceField];
      if (identity.workspaceId === undefined) throw errors.tokenWithoutWorkspace();
      if (typeof requested !== "string" || requested === "") throw errors.missingField("workspace_id");
      if (requested !== identity.workspaceId) throw errors.workspaceMismatch(requested);
    }
    if (requiresAdmin(request.method) && !identity.isAdmin) {
      throw errors.adminRequired(procedureName(request.method));
    }
    return next(request);
  };
}

/** The one request message of a server-streaming call (Connect's own rule: exactly one). */
async function singleMessage(messages: AsyncIterable<unknown>, procedure: string): Promise<unknown> {
  const iterator = messages[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw errors.protocolError("missing", procedure);
  const second = await iterator.next();
  if (!second.done) throw errors.protocolError("extra", procedure);
  return first.value;
}
