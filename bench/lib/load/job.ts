/**
 * What the orchestrator asks the load-generator process to do, and what it gets
 * back. Plain JSON: it crosses the IPC channel between the two processes.
 */

/** How one request is sent and what a correct answer looks like. */
export type TargetSpec =
  | {
      /** A plain GET (direct to the sidecar, or through nginx). */
      readonly kind: "http1-get";
      readonly origin: string;
      readonly path: string;
      readonly headers: Readonly<Record<string, string>>;
      /** Text the answer body must contain. */
      readonly expect: string;
    }
  | {
      /** A unary Connect call with a JSON body over HTTP/1.1. */
      readonly kind: "connect-json";
      readonly origin: string;
      readonly path: string;
      readonly headers: Readonly<Record<string, string>>;
      /** Request bodies, used in turn (distinct bodies defeat the gateway's coalescing of identical calls). */
      readonly bodies: readonly string[];
      readonly expect: string;
      readonly expectFromCache: boolean;
    }
  | {
      /** A unary gRPC call over HTTP/2 without TLS (h2c, prior knowledge). */
      readonly kind: "grpc-h2c";
      readonly origin: string;
      readonly path: string;
      readonly headers: Readonly<Record<string, string>>;
      /** Protobuf request messages, base64, used in turn. */
      readonly messagesBase64: readonly string[];
      readonly expect: string;
      readonly expectFromCache: boolean;
    };

export type Phase =
  /** Open loop: requests leave on a fixed schedule whatever the answers do. */
  | { readonly kind: "rate"; readonly rate: number; readonly seconds: number }
  /** Closed loop: `concurrency` requests in flight at all times. */
  | { readonly kind: "saturate"; readonly concurrency: number; readonly seconds: number };

/** A phase, and whether the raw latencies come back too (to merge phases of several rounds). */
export type PhaseRequest = Phase & { readonly raw?: boolean };

export interface RunRequest {
  readonly type: "run";
  readonly target: TargetSpec;
  readonly phase: PhaseRequest;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export interface PhaseResult {
  readonly type: "result";
  readonly phase: Phase;
  readonly elapsedSeconds: number;
  readonly ok: number;
  /** Failures by reason ("http_502", "grpc_14", "unexpected body", "timeout", …). */
  readonly errors: Readonly<Record<string, number>>;
  /** Milliseconds from the moment a request was handed to the socket layer until its answer was read. */
  readonly latencyMs: LatencySummary;
  /** Open loop only: how late requests left against their schedule (pacing precision). */
  readonly lagMs?: LatencySummary;
  /** Successful answers per second over the phase. */
  readonly throughput: number;
  /** Every latency (ms), when the phase asked for them. */
  readonly latencies?: readonly number[];
  /** Open loop only, when asked for: every send lag (ms). */
  readonly lags?: readonly number[];
}

export interface FailedRun {
  readonly type: "failed";
  readonly message: string;
}
