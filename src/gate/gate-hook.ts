import { createContextValues } from "@connectrpc/connect";
import type { ContextValues } from "@connectrpc/connect";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TokenVerifier } from "../auth/token-verifier.js";
import type { AuthOutcome } from "../auth/identity.js";
import type { RateLimiter, RateKey } from "../ratelimit/rate-limiter.js";
import type { RateDecision } from "../ratelimit/rate-decision.js";
import { authOutcomeKey, callOutcomeKey, protocolKey, rateDecisionKey, requestIdKey, rpcSpanKey } from "../lib/context-keys.js";
import type { Tracing } from "../tracing/tracing.js";
import { HEADERS } from "../lib/header-names.js";
import { protocolOf } from "../lib/protocol.js";

/** The Connect context of each request, created by the hook and read by the access log. */
const contexts = new WeakMap<FastifyRequest, ContextValues>();

export function callContextOf(request: FastifyRequest): ContextValues | undefined {
  return contexts.get(request);
}

/**
 * Creates the Connect context of a call with what only the HTTP layer can know.
 * Public procedures (health, reflection) get no token check and no rate limit.
 */
export function createCallContext(
  request: FastifyRequest,
  tracing: Tracing,
  facts?: { outcome: AuthOutcome; decision: RateDecision },
): ContextValues {
  const span = tracing.startRpc(request.routeOptions.url ?? request.url, request.headers);
  if (tracing.enabled) request.log = request.log.child({ traceId: span.spanContext().traceId });
  const values = createContextValues()
    .set(requestIdKey, request.id)
    .set(protocolKey, protocolOf(request.headers["content-type"]))
    .set(callOutcomeKey, {})
    .set(rpcSpanKey, span);
  if (facts) values.set(authOutcomeKey, facts.outcome).set(rateDecisionKey, facts.decision);
  contexts.set(request, values);
  return values;
}

/**
 * Fastify onRequest hook of the protected procedures: verifies the token once and
 * counts the call against its budget, before the body is read. It refuses nothing
 * itself; the gate interceptor does, so each protocol gets a correct Connect error.
 */
export function createGateHook(verifier: TokenVerifier, limiter: RateLimiter, tracing: Tracing) {
  return async function gate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const outcome = await verifier.verify(authorizationValues(request.raw.rawHeaders));
    const decision = await limiter.check(request, rateKeyOf(outcome, request.ip));
    if (decision.kind === "allowed" || decision.kind === "exceeded") {
      const { budget } = decision;
      reply.header("x-ratelimit-limit", budget.limit);
      reply.header("x-ratelimit-remaining", budget.remaining);
      reply.header("x-ratelimit-reset", Math.ceil(budget.resetMs / 1000));
      if (decision.kind === "exceeded") reply.header(HEADERS.retryAfter, Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
    }
    createCallContext(request, tracing, { outcome, decision });
  };
}

/** Budgets belong to the verified workspace; without a valid token, to the client address. */
function rateKeyOf(outcome: AuthOutcome, clientAddress: string): RateKey {
  if (outcome.kind === "authenticated") {
    const { workspaceId, userId } = outcome.identity;
    return workspaceId !== undefined ? { workspaceId } : { userId };
  }
  return { clientAddress };
}

/** Every Authorization header of the request; Node keeps only the first in `headers`. */
function authorizationValues(rawHeaders: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === HEADERS.authorization) values.push(rawHeaders[i + 1] ?? "");
  }
  return values;
}
