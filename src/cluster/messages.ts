/**
 * What the cluster primary and its workers say to each other over the IPC channel
 * (besides prom-client's own metric requests, which it handles itself).
 */
export type StopSignal = "SIGTERM" | "SIGINT";

/** Primary → worker: shut down as the signal the primary received asks. */
export interface StopMessage {
  readonly type: "orbit:stop";
  readonly signal: StopSignal;
}

/** Worker → primary: the metrics page of the whole cluster, please. */
export interface MetricsRequest {
  readonly type: "orbit:metrics-request";
  readonly id: number;
}

/** Primary → worker: the aggregated page, or why there is none. */
export interface MetricsAnswer {
  readonly type: "orbit:metrics-answer";
  readonly id: number;
  readonly page?: string;
  readonly error?: string;
}

export function isMessage<T extends { type: string }>(message: unknown, type: T["type"]): message is T {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;
}

let stopHandler: (signal: StopSignal) => void = () => process.exit(0);

/**
 * In a worker, first thing: stops when the primary says so, or as on SIGINT when the
 * primary is gone (its channel closed). Until the gateway has started and set its
 * handler (setClusterStopHandler) a stop request exits at once: nothing to drain yet.
 * The worker ignores SIGINT/SIGTERM itself: a terminal's Ctrl-C reaches every process
 * of the group, and the primary alone decides.
 */
export function watchClusterStop(): void {
  process.on("message", (message: unknown) => {
    if (isMessage<StopMessage>(message, "orbit:stop")) stopHandler(message.signal);
  });
  process.on("disconnect", () => stopHandler("SIGINT"));
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", () => undefined);
}

/** How a started worker stops (gracefully). */
export function setClusterStopHandler(handler: (signal: StopSignal) => void): void {
  stopHandler = handler;
}
