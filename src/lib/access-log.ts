import { Code } from "@connectrpc/connect";
import type { FastifyInstance } from "fastify";
import { callContextOf } from "../gate/gate-hook.js";
import type { GatewayMetrics } from "../metrics/metrics.js";
import type { Tracing } from "../tracing/tracing.js";
import { callOutcomeKey, identityKey, protocolKey, rpcSpanKey } from "./context-keys.js";

/** One structured line and the metrics per RPC, written when the response ends. */
export function registerAccessLog(app: FastifyInstance, metrics: GatewayMetrics, tracing: Tracing): void {
  app.addHook("onResponse", async (request, reply) => {
    const context = callContextOf(request);
    if (!context) return;
    const outcome = context.get(callOutcomeKey);
    const identity = context.get(identityKey);
    const procedure = request.routeOptions.url ?? "unknown";
    const code = outcome.reached || reply.statusCode === 200 ? codeName(outcome.code) : `http_${reply.statusCode}`;
    const protocol = context.get(protocolKey);
    const durationSeconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ procedure, code, protocol });
    const span = context.get(rpcSpanKey);
    if (span) tracing.end(span, code === "ok" ? undefined : { code });
    metrics.duration.observe({ procedure, code }, durationSeconds);
    const isProbe = procedure.startsWith("/grpc.health.v1.") || procedure.startsWith("/grpc.reflection.");
    request.log[isProbe ? "debug" : "info"](
      {
        procedure,
        protocol,
        workspace: identity?.workspaceId,
        user: identity?.userId,
        code,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      "rpc",
    );
  });
}

function codeName(code: Code | undefined): string {
  if (code === undefined) return "ok";
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}
