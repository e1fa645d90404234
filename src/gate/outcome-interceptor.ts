import { ConnectError } from "@connectrpc/connect";
import type { Code, Interceptor, StreamResponse } from "@connectrpc/connect";
import { callOutcomeKey } from "../lib/context-keys.js";

/**
 * Records each call's result code in its context so the access log and the metrics
 * (written when the HTTP response ends) report what the client saw. For server
 * streams the code is known only when the stream ends.
 */
export function createOutcomeInterceptor(): Interceptor {
  return (next) => async (request) => {
    const outcome = request.contextValues.get(callOutcomeKey);
    outcome.reached = true;
    try {
      const response = await next(request);
      if (!response.stream) return response;
      return { ...response, message: recordEnd(response.message, outcome) } as StreamResponse;
    } catch (error) {
      outcome.code = ConnectError.from(error).code;
      throw error;
    }
  };
}

async function* recordEnd<T>(messages: AsyncIterable<T>, outcome: { code?: Code }): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    outcome.code = ConnectError.from(error).code;
    throw error;
  }
}
