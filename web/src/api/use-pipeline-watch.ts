import { useEffect, useState } from "react";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Pipeline } from "../gen/idp/plugins/v1/deployments_pb.js";
import { useGateway } from "./context.js";

export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface PipelineWatch {
  readonly pipeline: Pipeline | undefined;
  readonly status: LiveStatus;
  /** The last failure; kept while reconnecting, cleared by the next update. */
  readonly error: unknown;
  /** Seconds until the next attempt while reconnecting. */
  readonly retryInSeconds: number | undefined;
}

/** Errors that retrying cannot fix: show them and stop. */
const FINAL = new Set([Code.PermissionDenied, Code.Unauthenticated, Code.InvalidArgument, Code.NotFound, Code.FailedPrecondition]);
const MAX_BACKOFF_MS = 10_000;

/**
 * Follows WatchPipeline (no polling): the gateway sends the pipeline at once and on
 * every change. When the stream ends or fails (gateway restart, network), it reconnects
 * with a growing delay and resumes with the fresh pipeline the gateway sends first.
 */
export function usePipelineWatch(service: string): PipelineWatch {
  const { deployments, workspaceId } = useGateway();
  const [watch, setWatch] = useState<PipelineWatch>({
    pipeline: undefined,
    status: "connecting",
    error: undefined,
    retryInSeconds: undefined,
  });

  useEffect(() => {
    const stop = new AbortController();
    setWatch({ pipeline: undefined, status: "connecting", error: undefined, retryInSeconds: undefined });
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        stop.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    void (async () => {
      let failures = 0;
      while (!stop.signal.aborted) {
        let error: unknown = new ConnectError("the pipeline stream ended", Code.Unavailable);
        try {
          for await (const update of deployments.watchPipeline({ workspaceId, service }, { signal: stop.signal })) {
            failures = 0;
            setWatch({ pipeline: update.pipeline, status: "live", error: undefined, retryInSeconds: undefined });
          }
        } catch (caught) {
          error = caught;
        }
        if (stop.signal.aborted) return;
        const final = FINAL.has(ConnectError.from(error).code);
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures - 1, 5));
        setWatch((previous) => ({
          pipeline: previous.pipeline,
          status: "reconnecting",
          error,
          retryInSeconds: final ? undefined : Math.ceil(delay / 1000),
        }));
        if (final) return;
        await pause(delay);
      }
    })();
    return () => stop.abort();
  }, [deployments, workspaceId, service]);

  return watch;
}
