import cluster from "node:cluster";
import type { Config } from "./config/settings.js";
import { loadCatalogue } from "./catalogue/catalogue.js";
import { generateDevelopmentSecret, mintServiceToken } from "./auth/dev-token.js";
import { createGateway } from "./gateway.js";
import { createLogger } from "./lib/logger.js";
import { printBanner } from "./lib/banner.js";
import { describeUrl } from "./store/database-url.js";
import { openPluginStore } from "./store/open-plugin-store.js";
import { setClusterStopHandler } from "./cluster/messages.js";

/** Development tokens printed at start-up live this long (Orbit's own live 120 s). */
const DEV_TOKEN_TTL_SECONDS = 12 * 3600;
export const DEV_WORKSPACE = "dev-workspace";

/**
 * Runs one gateway process: the whole gateway, or one worker of a cluster (then the
 * primary tells it when to stop, and only the first worker prints the banner).
 */
export async function serve(config: Config): Promise<void> {
  const logger = cluster.isWorker ? createLogger(config.logLevel).child({ worker: cluster.worker?.id }) : createLogger(config.logLevel);

  let authSecret = config.authSecret;
  let generatedSecret = false;
  if (!authSecret && !config.jwksUrl) {
    // loadConfig already refused this in production; elsewhere, a per-run secret.
    authSecret = generateDevelopmentSecret();
    generatedSecret = true;
    logger.warn(
      "ORBIT_SVC_AUTH_SECRET is not set: generated a RANDOM secret for this run only. Orbit's tokens will NOT verify; use the development token printed below, and set ORBIT_SVC_AUTH_SECRET for anything but local development.",
    );
  }

  const catalogue = loadCatalogue();
  const store = await openPluginStore(config, catalogue, logger);
  logger.info(
    { database: config.databaseUrl ? describeUrl(config.databaseUrl) : `embedded PGlite in ${config.dataDir}` },
    "plugin state store ready",
  );
  if (!store.canStoreSecrets) {
    logger.warn("ORBIT_SECRETS_KEYS is not set: plugin secrets cannot be stored until a key ring is configured (see README)");
  }
  const gateway = await createGateway({ config, logger, catalogue, store, authSecret });
  const url = await gateway.listen();
  logger.info({ url }, "gateway listening (Connect, gRPC and gRPC-Web on one port)");

  // In a cluster the first worker alone prints the banner (every worker accepts the same tokens).
  const firstProcess = !cluster.isWorker || cluster.worker?.id === 1;
  if (authSecret && config.nodeEnv !== "production" && firstProcess) {
    const token = await mintServiceToken(authSecret, {
      userId: "dev-user",
      workspaceId: DEV_WORKSPACE,
      admin: true,
      ttlSeconds: DEV_TOKEN_TTL_SECONDS,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    });
    printBanner({
      url,
      token,
      workspaceId: DEV_WORKSPACE,
      generatedSecret,
      ttlHours: DEV_TOKEN_TTL_SECONDS / 3600,
      ...(config.backstageUrl ? { sidecarUrl: config.backstageUrl } : {}),
    });
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    // SIGTERM comes from orchestrators: give load balancers time to see "not ready".
    const delayMs = signal === "SIGTERM" ? config.shutdownDelay : 0;
    logger.info({ signal, delayMs, drainMs: config.shutdownDrainTimeout }, "shutting down");
    gateway.close({ delayMs }).then(
      () => {
        logger.info("shutdown complete");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  if (cluster.isWorker) {
    setClusterStopHandler(stop);
  } else {
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  }
}
