import cluster from "node:cluster";
import { ConfigError, loadConfig } from "./config/load-config.js";
import { watchClusterStop } from "./cluster/messages.js";

/**
 * Entry point: validates the configuration, then runs the gateway in this process, or,
 * with GATEWAY_WORKERS > 1, becomes the cluster primary that runs the workers. Each
 * role loads only its own modules (the primary stays small).
 */
async function main(): Promise<void> {
  if (cluster.isWorker) watchClusterStop();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    await (await import("./cluster/primary.js")).runPrimary(config);
  } else {
    await (await import("./serve.js")).serve(config);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
