/**
 * The Orbit Backstage sidecar: a Backstage backend (new backend system) that
 * runs Orbit's workspace-scoped plugins. Only the Orbit plugins gateway calls
 * it, with a static service token (see app-config.yaml and README.md).
 */

// First: telemetry must patch http/express before Backstage loads them (a
// no-op when the start script already preloaded it with --import).
import './instrumentation';
import { createBackend } from '@backstage/backend-defaults';
import { installSqliteDriver } from '@internal/sqlite-driver';
import { workspaceContextServiceFactory } from '@internal/plugin-workspace-isolation-backend';
import { jiraRestRoutesExtensionPoint } from '@internal/plugin-jira-backend';
import {
  StockSupervisor,
  createStockFrontModule,
  jiraDefinition,
  stockPlugins,
  stockProcessSettingsFromEnv,
} from '@internal/stock-host';
import { startEgressGuard } from './egress';
import { preflight, TEST_ROUTES_ENV } from './preflight';
import { telemetryShutdownPlugin } from './telemetry/shutdownPlugin';

const problems = preflight();
if (problems.length > 0) {
  console.error(`Refusing to start the Orbit sidecar:\n\n${problems.join('\n\n')}`);
  process.exit(1);
}

// Before Backstage opens its SQLite (app-config.yaml): the better-sqlite3 build
// this Node.js can run without aborting (see @internal/sqlite-driver).
installSqliteDriver();

// Before any plugin loads: every outgoing connection of the process's plugins
// goes through the egress policy from here on (see ./egress.ts).
startEgressGuard();

const backend = createBackend();

// Workspace isolation: the workspaceContext service (every plugin depending on
// it gets the X-Orbit-* header checks, request log and counter in front of its
// routes) and the plugin serving GET /.orbit/requests.
backend.add(workspaceContextServiceFactory);
backend.add(import('@internal/plugin-workspace-isolation-backend'));

// Flushes spans and closes the metrics port when the backend stops.
backend.add(telemetryShutdownPlugin);

// Orbit plugins, all workspace-scoped.
backend.add(import('@internal/plugin-deployment-backend'));
backend.add(import('@internal/plugin-jira-backend'));

// Stock community plugins (SonarQube, ...): each workspace's own Backstage
// process, started from its settings and replaced blue/green when they change
// (see @internal/stock-host and docs/stock-plugins.md). Jira's REST paths
// (the proxy backend) are a module of the jira plugin, which owns the id.
const stockSupervisor = new StockSupervisor(stockProcessSettingsFromEnv());
for (const plugin of stockPlugins(stockSupervisor)) backend.add(plugin);
backend.add(createStockFrontModule(jiraDefinition, stockSupervisor, jiraRestRoutesExtensionPoint));

// Test harnesses only (never with the production config, see preflight): the
// diagnostic routes /api/deployment/whoami and /echo, outside any plugin's contract.
if (process.env[TEST_ROUTES_ENV] === 'true') {
  backend.add(
    import('@internal/plugin-deployment-backend/src/testUtils/diagnosticRoutes').then(m => ({
      default: m.diagnosticRoutesModule,
    })),
  );
}

backend.start();
