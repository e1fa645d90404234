import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { Context, Span, Tracer } from "@opentelemetry/api";

export interface TracingSettings {
  readonly enabled: boolean;
  /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
  readonly endpoint: string;
  readonly serviceName: string;
}

/**
 * OpenTelemetry for the gateway, off by default. When on, each RPC is a server span
 * that continues the caller's W3C `traceparent`, and each sidecar call is a client
 * span whose context travels upstream in `traceparent`, so one trace spans client →
 * gateway → sidecar (→ GitHub). When off, every call here is a cheap no-op.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** Starts the server span of an RPC from the incoming headers. */
  startRpc(procedure: string, headers: Record<string, string | string[] | undefined>): Span;
  /** Starts a client span below `parent` and returns the headers that carry it upstream. */
  startUpstream(name: string, parent: Span | undefined): { span: Span; headers: Record<string, string> };
  end(span: Span, error?: { code: string; message?: string }): void;
  shutdown(): Promise<void>;
}

export async function createTracing(settings: TracingSettings): Promise<Tracing> {
  if (!settings.enabled) {
    const noop = trace.wrapSpanContext({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 });
    return {
      enabled: false,
      startRpc: () => noop,
      startUpstream: () => ({ span: noop, headers: {} }),
      end: () => undefined,
      shutdown: async () => undefined,
    };
  }
  // Loaded only when tracing is on: the SDK and exporter add ~15 MB to every process.
  const [{ W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, NodeTracerProvider }] =
    await Promise.all([
      import("@opentelemetry/core"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace-node"),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.endpoint }))],
  });
  const propagator = new W3CTraceContextPropagator();
  const tracer: Tracer = provider.getTracer("orbit-plugins-gateway");

  return {
    enabled: true,
    startRpc(procedure, headers) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, {
        get: (carrier, key) => carrier[key],
        keys: (carrier) => Object.keys(carrier),
      });
      const [, service = "", method = ""] = procedure.split("/");
      return tracer.startSpan(
        procedure,
        { kind: SpanKind.SERVER, attributes: { "rpc.system": "connect_rpc", "rpc.service": service, "rpc.method": method } },
        parent,
      );
    },
    startUpstream(name, parent) {
      const parentContext: Context = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
      const span = tracer.startSpan(name, { kind: SpanKind.CLIENT }, parentContext);
      const headers: Record<string, string> = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, {
        set: (carrier, key, value) => {
          carrier[key] = value;
        },
      });
      return { span, headers };
    },
    end(span, error) {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message ?? error.code });
      if (error) span.setAttribute("rpc.connect_rpc.error_code", error.code);
      span.end();
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
