import { createContextKey } from "@connectrpc/connect";
import type { AuthOutcome, Identity } from "../auth/identity.js";
import type { RateDecision } from "../ratelimit/rate-decision.js";
import type { Code } from "@connectrpc/connect";
import type { Span } from "@opentelemetry/api";
import type { Protocol } from "./protocol.js";

/**
 * Connect context values of one call. The Fastify layer fills the request facts
 * (outcome of token verification and rate limiting, request id, protocol); the
 * gate interceptor turns them into `identityKey`, which handlers read.
 */
export const requestIdKey = createContextKey<string>("", { description: "request id" });

export const protocolKey = createContextKey<Protocol>("connect", { description: "wire protocol" });

export const authOutcomeKey = createContextKey<AuthOutcome>({ kind: "missing" }, { description: "outcome of token verification" });

export const rateDecisionKey = createContextKey<RateDecision>({ kind: "exempt" }, { description: "outcome of the rate-limit check" });

/** Set by the gate interceptor once the caller is authenticated; handlers read only this. */
export const identityKey = createContextKey<Identity | undefined>(undefined, {
  description: "verified caller identity",
});

/**
 * Filled by the outcome interceptor: the call's error code (undefined = OK), for the
 * access log and metrics. `reached` tells whether the call got past request parsing.
 */
export interface CallOutcome {
  code?: Code;
  reached?: boolean;
}
export const callOutcomeKey = createContextKey<CallOutcome>({}, { description: "result of the call" });

/** The RPC's server span (a no-op span when tracing is off); upstream spans hang below it. */
export const rpcSpanKey = createContextKey<Span | undefined>(undefined, { description: "RPC server span" });
