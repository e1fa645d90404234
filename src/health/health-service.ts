import { setTimeout as delay } from "node:timers/promises";
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { type Health, HealthCheckResponse_ServingStatus as Status, HealthCheckResponseSchema } from "../gen/health/v1/health_pb.js";
import { errors } from "../lib/errors.js";
import type { Readiness } from "./readiness.js";

/**
 * grpc.health.v1.Health: "" stands for the whole server; every served service can be
 * asked by name. All report SERVING exactly when the gateway is ready.
 */
export function createHealthService(
  readiness: Readiness,
  serviceNames: readonly string[],
  watchIntervalMs = 2_000,
): Partial<ServiceImpl<typeof Health>> {
  const known = new Set(["", ...serviceNames]);
  const statusNow = async () => ((await readiness.report()).ready ? Status.SERVING : Status.NOT_SERVING);

  return {
    async check(request) {
      if (!known.has(request.service)) {
        throw errors.unknownHealthService(request.service);
      }
      return { status: await statusNow() };
    },

    async list() {
      const status = await statusNow();
      return {
        statuses: Object.fromEntries([...known].map((name) => [name, create(HealthCheckResponseSchema, { status })])),
      };
    },

    async *watch(request, context) {
      if (!known.has(request.service)) {
        yield { status: Status.SERVICE_UNKNOWN };
        return;
      }
      const stop = AbortSignal.any([context.signal, readiness.drainSignal]);
      let last: Status | undefined;
      while (!stop.aborted) {
        const status = await statusNow();
        if (status !== last) {
          last = status;
          yield { status };
        }
        try {
          await delay(watchIntervalMs, undefined, { signal: stop });
        } catch {
          break; // the client went away or the server is draining
        }
      }
      if (readiness.draining && !context.signal.aborted) {
        // Tell watchers first, then end with a status they retry on another replica.
        yield { status: Status.NOT_SERVING };
        throw errors.shuttingDown();
      }
    },
  };
}
