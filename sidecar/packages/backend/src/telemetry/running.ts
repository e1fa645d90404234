/**
 * The process-wide telemetry handle. Kept on `globalThis` because the
 * instrumentation module can be evaluated twice in one process (preloaded with
 * `--import` and imported again by `index.ts`), possibly as two module
 * instances; the second evaluation must find the first one's SDK.
 */

import type { Telemetry } from './startTelemetry';

const RUNNING = Symbol.for('orbit.sidecar.telemetry');
type Holder = { [RUNNING]?: Telemetry };

export function runningTelemetry(): Telemetry | undefined {
  return (globalThis as Holder)[RUNNING];
}

export function setRunningTelemetry(telemetry: Telemetry): void {
  (globalThis as Holder)[RUNNING] = telemetry;
}
