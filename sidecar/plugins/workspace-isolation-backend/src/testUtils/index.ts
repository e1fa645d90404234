/**
 * Test helpers for plugins behind Orbit workspace isolation. Test-only: this
 * entry point imports `@backstage/backend-test-utils` and
 * `@backstage/backend-defaults`, which plugins list as devDependencies.
 *
 * `startTestBackend` replaces auth with permissive mocks by default (requests
 * without a token are treated as a user). Plugin tests here must exercise the
 * real rules instead, so `orbitTestServices()` swaps in Backstage's real auth,
 * httpAuth and httpRouter services, configured like app-config.yaml: one
 * static token for the gateway, restricted to the given plugins.
 *
 * @packageDocumentation
 */

import { randomBytes } from 'node:crypto';
import {
  coreServices,
  createServiceFactory,
  type LoggerService,
  type RootLoggerService,
  type ServiceFactory,
} from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';

/** The subject the gateway's static token maps to, as in app-config.yaml. */
export const GATEWAY_SUBJECT = 'orbit-plugins-gateway';

/** A random static token, as the gateway's `npm start` would generate. */
export function randomServiceToken(): string {
  return randomBytes(32).toString('base64url');
}

/** One log call captured by {@link LogCollector}. */
export interface CapturedLog {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  /** Fields of the logger (`plugin`, `component`, ...) merged with the call's metadata. */
  meta: Record<string, unknown>;
}

class CapturingLogger implements RootLoggerService {
  readonly #sink: CapturedLog[];
  readonly #fields: JsonObject;

  constructor(sink: CapturedLog[], fields: JsonObject) {
    this.#sink = sink;
    this.#fields = fields;
  }

  error(message: string, meta?: Error | JsonObject) {
    this.#push('error', message, meta);
  }
  warn(message: string, meta?: Error | JsonObject) {
    this.#push('warn', message, meta);
  }
  info(message: string, meta?: Error | JsonObject) {
    this.#push('info', message, meta);
  }
  debug(message: string, meta?: Error | JsonObject) {
    this.#push('debug', message, meta);
  }
  child(meta: JsonObject): LoggerService {
    return new CapturingLogger(this.#sink, { ...this.#fields, ...meta });
  }

  #push(level: CapturedLog['level'], message: string, meta?: Error | JsonObject) {
    const extra =
      meta instanceof Error ? { error: { name: meta.name, message: meta.message, stack: meta.stack } } : meta;
    this.#sink.push({ level, message, meta: { ...this.#fields, ...extra } });
  }
}

/** Collects everything the backend logs, for assertions. */
export class LogCollector {
  readonly entries: CapturedLog[] = [];
  readonly #root = new CapturingLogger(this.entries, {});

  /** Service factories routing the root and plugin loggers into `entries`. */
  serviceFactories(): ServiceFactory[] {
    const root = this.#root;
    return [
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => root,
      }),
      createServiceFactory({
        service: coreServices.logger,
        deps: { plugin: coreServices.pluginMetadata },
        factory: ({ plugin }) => root.child({ plugin: plugin.getId() }),
      }),
    ];
  }

  /** Every captured entry serialised, to search for leaked secrets. */
  dump(): string {
    return JSON.stringify(this.entries);
  }
}

/**
 * Service factories for `startTestBackend` that enforce the sidecar's real
 * service-to-service auth: only `Authorization: Bearer <token>` is accepted,
 * and only for `pluginIds`.
 */
export function orbitTestServices(options: {
  token: string;
  pluginIds: string[];
  logs?: LogCollector;
  extraConfig?: JsonObject;
}): ServiceFactory[] {
  return [
    mockServices.rootConfig.factory({
      data: {
        ...options.extraConfig,
        backend: {
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: { token: options.token, subject: GATEWAY_SUBJECT },
                accessRestrictions: options.pluginIds.map(plugin => ({
                  plugin,
                })),
              },
            ],
          },
        },
      },
    }),
    authServiceFactory,
    httpAuthServiceFactory,
    httpRouterServiceFactory,
    ...(options.logs?.serviceFactories() ?? []),
  ];
}
