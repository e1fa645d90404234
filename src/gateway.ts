import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import cors from "@fastify/cors";
import { cors as connectCors } from "@connectrpc/connect";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { LogController, fastify } from "fastify";
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import type { Catalogue } from "./catalogue/catalogue.js";
import type { Config } from "./config/settings.js";
import { createTokenVerifier } from "./auth/token-verifier.js";
import type { TokenVerifierOptions } from "./auth/token-verifier.js";
import { createGateHook, callContextOf, createCallContext } from "./gate/gate-hook.js";
import { createGateInterceptor } from "./gate/gate-interceptor.js";
import { createOutcomeInterceptor } from "./gate/outcome-interceptor.js";
import { PluginsService } from "./gen/idp/plugins/v1/plugins_pb.js";
import { DeploymentService } from "./gen/idp/plugins/v1/deployments_pb.js";
import { file_google_rpc_error_details } from "./gen/google/rpc/error_details_pb.js";
import { Health } from "./gen/health/v1/health_pb.js";
import { createHealthService } from "./health/health-service.js";
import { createReadiness } from "./health/readiness.js";
import type { Readiness } from "./health/readiness.js";
import { registerHttpHealthRoutes, startMetricsServer } from "./health/http-health-routes.js";
import { dependencyChecks } from "./health/dependency-checks.js";
import { registerAccessLog } from "./lib/access-log.js";
import { answerCompression } from "./lib/compression.js";
import { LazyChildLogger } from "./lib/lazy-child-logger.js";
import { createTracing } from "./tracing/tracing.js";
import { sendConnectError } from "./lib/error-response.js";
import { errors } from "./lib/errors.js";
import { HEADERS } from "./lib/header-names.js";
import { serverOptions } from "./lib/http-server.js";
import { trackConnections } from "./lib/connection-drain.js";
import type { Logger } from "./lib/logger.js";
import { createMetrics } from "./metrics/metrics.js";
import { clusterMetricsPage } from "./cluster/metrics.js";
import type { GatewayMetrics } from "./metrics/metrics.js";
import { createRateLimiter } from "./ratelimit/rate-limiter.js";
import { connectRedis } from "./ratelimit/redis-client.js";
import { createDescriptorIndex } from "./reflection/descriptor-index.js";
import {
  createReflectionV1,
  createReflectionV1Alpha,
  ServerReflectionV1,
  ServerReflectionV1Alpha,
} from "./reflection/reflection-service.js";
import { createPluginsService } from "./services/plugins-service.js";
import { createDeployments } from "./plugins/deployment/deployment-service.js";
import { createPluginSettingsSource } from "./services/plugin-settings-source.js";
import { createConfigValidator } from "./services/config-validation.js";
import { createEgressPolicy } from "./egress/policy.js";
import type { OpenedPluginStore } from "./store/open-plugin-store.js";
import { createSidecarAccess } from "./sidecar/sidecar-access.js";

export interface GatewayDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly catalogue: Catalogue;
  /** Per-workspace plugin state; opened (migrated) by the caller. */
  readonly store: OpenedPluginStore;
  /** The HS256 secret in force (configured, or generated for a development run). */
  readonly authSecret: string | undefined;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly metrics: GatewayMetrics;
  readonly readiness: Readiness;
  /** Starts listening; resolves with the base URL, e.g. http://127.0.0.1:50053. */
  listen(): Promise<string>;
  /**
   * Graceful stop: readiness fails at once; after `delayMs` the listener closes,
   * in-flight calls get the drain deadline, then connections and pools close.
   */
  close(options?: { delayMs?: number }): Promise<void>;
}

/** Exposed so browsers can read rate-limit state and correlate logs. */
const EXPOSED_HEADERS = ["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-Id"];
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, logger, catalogue } = deps;
  const metrics = createMetrics();
  // In a cluster every worker's /metrics shows the whole cluster, whichever worker answers.
  const metricsSource = {
    contentType: metrics.registry.contentType,
    page: cluster.isWorker ? clusterMetricsPage(metrics.registry) : () => metrics.registry.metrics(),
  };
  const tracing = await createTracing({
    enabled: config.tracingEnabled,
    endpoint: config.tracingEndpoint,
    serviceName: "orbit-plugins-gateway",
  });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const pluginSettings = createPluginSettingsSource(deps.store.dataPathStates, logger);
  const plugins = createSidecarAccess(config, { logger, metrics, tracing, redis, settings: pluginSettings });
  const sidecar = plugins.client;
  const readiness = createReadiness(
    dependencyChecks({
      db: deps.store.db,
      redis,
      sidecar,
      redisCritical: config.rateLimitFailClosed,
      // With a grace period, an unreachable database fails writes, not data calls: stay in rotation.
      databaseCritical: !(config.pluginStateCacheTtl > 0 && config.pluginStateStaleGrace > 0),
    }),
  );

  const app = fastify({
    loggerInstance: logger,
    // One access line per RPC comes from registerAccessLog; Fastify's own are off.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (parent, bindings, options) => new LazyChildLogger(parent as Logger, bindings, options),
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers[HEADERS.requestId];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    trustProxy: config.trustProxy,
    // Shutdown is ours (see close): keep serving calls that arrive on open
    // connections while draining instead of Fastify's plain-text 503.
    forceCloseConnections: false,
    return503OnClosing: false,
    ...serverOptions(config.tlsCertFile && config.tlsKeyFile ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile } : undefined),
  }) as unknown as FastifyInstance;
  // Small RPC answers must leave at once: with Nagle's algorithm an HTTP/2 frame
  // waits for the client's delayed ACK (~40 ms per unary gRPC call over h2c).
  app.server.on("connection", (socket: Socket) => socket.setNoDelay(true));
  const connections = trackConnections(app.server);
  // Aborted at the drain deadline: whatever still runs then is told to stop.
  const shutdown = new AbortController();

  app.addHook("onRequest", async (request, reply) => {
    reply.header(HEADERS.requestId, request.id);
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes("*") ? "*" : config.corsOrigins,
      methods: [...connectCors.allowedMethods],
      allowedHeaders: [...connectCors.allowedHeaders, "Authorization", "X-Request-Id", "X-GitHub-Token"],
      exposedHeaders: [...connectCors.exposedHeaders, ...EXPOSED_HEADERS],
      maxAge: 7200,
    });
  }

  const limiter = await createRateLimiter(app, {
    max: config.rateLimitMax,
    windowMs: config.rateLimitWindow,
    overrides: config.rateLimitOverrides,
    unauthenticatedMax: config.rateLimitUnauthenticatedMax,
    failClosed: config.rateLimitFailClosed,
    logger,
    metrics,
    ...(redis ? { redis } : {}),
  });
  const verifier = createTokenVerifier(verifierOptions(config, deps.authSecret));

  const connectOptions = {
    readMaxBytes: config.maxRequestBytes,
    acceptCompression: answerCompression,
    maxTimeoutMs: config.maxDeadline,
    shutdownSignal: shutdown.signal,
    contextValues: (request: FastifyRequest) => callContextOf(request) ?? createCallContext(request, tracing),
  };
  const index = createDescriptorIndex(
    [PluginsService, DeploymentService, Health, ServerReflectionV1, ServerReflectionV1Alpha],
    [file_google_rpc_error_details],
  );

  // Health and reflection: no token, no rate limit.
  await app.register(async (scope) => {
    scope.addHook("onRequest", async (request) => {
      createCallContext(request, tracing);
    });
    await scope.register(fastifyConnectPlugin, {
      ...connectOptions,
      interceptors: [createOutcomeInterceptor()],
      routes: (router: ConnectRouter) => {
        router.service(Health, createHealthService(readiness, index.serviceNames));
        router.service(ServerReflectionV1, createReflectionV1(index));
        router.service(ServerReflectionV1Alpha, createReflectionV1Alpha(index));
      },
    });
  });

  const deployments = createDeployments({
    catalogue,
    forwarder: plugins.forwarder,
    settings: pluginSettings,
    pipelineCacheTtlMs: config.pipelineCacheTtl,
    pipelineWatchIntervalMs: config.pipelineWatchInterval,
    metrics,
    logger,
    drainSignal: readiness.drainSignal,
  });

  // The product's procedures: every call passes the gate.
  await app.register(async (scope) => {
    scope.addHook("onRequest", createGateHook(verifier, limiter, tracing));
    const interceptors: Interceptor[] = [createOutcomeInterceptor(), createGateInterceptor()];
    await scope.register(fastifyConnectPlugin, {
      ...connectOptions,
      interceptors,
      routes: (router: ConnectRouter) => {
        router.service(
          PluginsService,
          createPluginsService({
            catalogue,
            store: deps.store.store,
            validator: createConfigValidator({
              egress: createEgressPolicy({
                allowedHosts: config.egressAllowedHosts,
                allowedPrivateNetworks: config.egressAllowedPrivateNetworks,
              }),
            }),
            logger,
            forwarder: plugins.forwarder,
            settings: pluginSettings,
            health: plugins.health,
            instances: plugins.instances,
          }),
        );
        router.service(DeploymentService, deployments.service);
      },
    });
  });

  registerHttpHealthRoutes(app, readiness, metricsSource, { metricsOnMainPort: config.metricsPort === undefined });
  let metricsServer: Server | undefined;
  registerAccessLog(app, metrics, tracing);

  app.setNotFoundHandler((request, reply) => sendConnectError(request, reply, errors.procedureNotFound(request.url.split("?")[0] ?? "")));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return sendConnectError(request, reply, errors.invalidHttpRequest(status, error.message));
  });

  return {
    app,
    metrics,
    readiness,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      if (config.metricsPort !== undefined) metricsServer = await startMetricsServer(metricsSource, config.host, config.metricsPort);
      const address = app.server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      const scheme = config.tlsCertFile ? "https" : "http";
      const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
      return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
    },
    async close(options = {}) {
      readiness.startDraining();
      if (options.delayMs) await delay(options.delayMs);
      const closed = app.close();
      await connections.drain(config.shutdownDrainTimeout);
      shutdown.abort(errors.shuttingDown());
      deployments.close();
      await closed;
      redis?.disconnect();
      await sidecar?.close();
      await deps.store.db.close();
      await tracing.shutdown();
      metricsServer?.close();
    },
  };
}

function verifierOptions(config: Config, authSecret: string | undefined): TokenVerifierOptions {
  const common = { issuer: config.jwtIssuer, audience: config.jwtAudience, clockToleranceMs: config.jwtClockTolerance };
  if (config.jwksUrl) return { ...common, mode: "jwks", jwksUrl: config.jwksUrl, algorithms: config.jwksAlgorithms };
  if (!authSecret) throw new Error("no token verification configured: set ORBIT_SVC_AUTH_SECRET or ORBIT_JWKS_URL");
  return { ...common, mode: "shared-secret", secret: authSecret };
}
