/**
 * Adds `traceId` and `spanId` (the gateway's field name is `traceId` too) to
 * every Backstage log line written while a span is active, e.g. the request
 * log lines of a traced call.
 *
 * Backstage's root logger is winston, built inside `@backstage/backend-defaults`
 * with no hook for extra fields. Every winston logger, child loggers included,
 * funnels its entries through `Logger.prototype.write` synchronously in the
 * caller's async context, so wrapping that one method is where the active span
 * is still known. We wrap the winston instance Backstage itself resolves.
 */

import { createRequire } from 'node:module';
import { isSpanContextValid, trace } from '@opentelemetry/api';

type LogEntry = Record<string, unknown>;
interface WinstonModule {
  Logger: { prototype: { write: (entry: unknown, ...rest: unknown[]) => boolean } };
}

const WRAPPED = Symbol.for('orbit.sidecar.logTraceContext');

function resolveBackstageWinston(): WinstonModule {
  const fromBackstage = createRequire(require.resolve('@backstage/backend-defaults'));
  return fromBackstage('winston') as WinstonModule;
}

export function addTraceContextToLogs(winston: WinstonModule = resolveBackstageWinston()): void {
  const prototype = winston.Logger.prototype as WinstonModule['Logger']['prototype'] & {
    [WRAPPED]?: true;
  };
  if (prototype[WRAPPED]) return;
  const write = prototype.write;
  prototype.write = function writeWithTraceContext(entry: unknown, ...rest: unknown[]) {
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext && isSpanContextValid(spanContext) && entry && typeof entry === 'object') {
      const fields = entry as LogEntry;
      fields.traceId ??= spanContext.traceId;
      fields.spanId ??= spanContext.spanId;
    }
    return write.call(this, entry, ...rest);
  };
  prototype[WRAPPED] = true;
}
