/**
 * OpenTelemetry for the sidecar, loaded before the backend (Backstage's
 * "Setup OpenTelemetry" guide): `node --import tsx --import
 * ./src/instrumentation.ts src/index.ts`. The HTTP and Express
 * instrumentations patch modules as they are first required, so this must run
 * before Backstage loads them. `index.ts` imports this module first as well,
 * for launchers that start `index.ts` without the preload; the second
 * evaluation finds the running SDK and does nothing.
 *
 * Settings (all off by default) are in ./telemetry/settings.ts and README.md.
 */

import { isMainThread } from 'node:worker_threads';
import { runningTelemetry, setRunningTelemetry } from './telemetry/running';
import { readTelemetrySettings, TelemetrySettingsError, type TelemetrySettings } from './telemetry/settings';
import { startTelemetry } from './telemetry/startTelemetry';

function refuseToStart(reason: string): never {
  console.error(`Refusing to start the Orbit sidecar:\n\n${reason}`);
  process.exit(1);
}

// Worker threads inherit --import; telemetry belongs to the main thread only.
if (isMainThread && runningTelemetry() === undefined) {
  let settings: TelemetrySettings;
  try {
    settings = readTelemetrySettings();
  } catch (error) {
    if (error instanceof TelemetrySettingsError) refuseToStart(error.message);
    throw error;
  }
  const telemetry = startTelemetry(settings);
  setRunningTelemetry(telemetry);
  telemetry.ready.catch((error: Error) => {
    const where = settings.metrics.enabled ? `${settings.metrics.host}:${settings.metrics.port}` : '';
    refuseToStart(
      `the metrics endpoint cannot listen on ${where} (SIDECAR_METRICS_HOST / SIDECAR_METRICS_PORT): ${error.message}`,
    );
  });
}
