/**
 * Flushes telemetry when the backend shuts down. Backstage handles SIGTERM by
 * stopping the backend and then calling `process.exit`, so spans still in the
 * batch would be lost without this root shutdown hook (it runs after the
 * plugins have stopped, so their last spans are included).
 */

import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { runningTelemetry } from './running';

export const telemetryShutdownPlugin = createBackendPlugin({
  pluginId: 'orbit-telemetry',
  register(env) {
    env.registerInit({
      deps: { rootLifecycle: coreServices.rootLifecycle },
      async init({ rootLifecycle }) {
        rootLifecycle.addShutdownHook(async () => {
          await runningTelemetry()?.shutdown();
        });
      },
    });
  },
});
