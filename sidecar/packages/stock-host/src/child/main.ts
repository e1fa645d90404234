/**
 * One Backstage backend hosting one stock plugin for one workspace. Started by
 * the sidecar's supervisor (../supervisor.ts): reads its LaunchSpec from stdin,
 * builds the config in memory, listens on a free loopback port and prints it.
 */
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { countRefusals, egressPolicyFromEnv, installEgressGuard } from '@internal/egress-node';
import { installSqliteDriver } from '@internal/sqlite-driver';
import type { AddressInfo } from 'node:net';
import { hostedOf, stockPluginDefinitions } from '../definitions';
import { guardEveryAgent } from './agents';
import { replacementCatalog } from './catalog';
import { stockGate } from './gate';
import type { LaunchSpec } from './launch';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// The supervisor holds the IPC channel: when it goes (even killed), this process goes too.
process.on('disconnect', () => process.exit(0));

async function main(): Promise<void> {
  const spec = JSON.parse(await readStdin()) as LaunchSpec;
  const definition = stockPluginDefinitions.get(spec.pluginId);
  if (!definition) {
    console.error(`no stock plugin "${spec.pluginId}"`);
    process.exit(2);
  }

  // Before the plugin loads: its outgoing calls are held to the operator's egress policy.
  const guard = installEgressGuard({ policy: egressPolicyFromEnv(process.env), onRefusal: countRefusals() });
  // Also under agents the plugin makes itself (the Kubernetes backend's per-cluster https.Agent).
  guardEveryAgent(guard.gate);

  // The in-memory SQLite below, on the better-sqlite3 build this Node.js runs safely.
  installSqliteDriver();
  const config = new ConfigReader({
    backend: {
      baseUrl: 'http://127.0.0.1',
      listen: { host: '127.0.0.1', port: 0 },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: spec.token, subject: 'orbit-stock-supervisor' },
            accessRestrictions: [{ plugin: hostedOf(definition).pluginId }],
          },
        ],
      },
    },
    ...definition.configFor(spec.settings),
  });

  const backend = createBackend();
  backend.add(createServiceFactory({ service: coreServices.rootConfig, deps: {}, factory: () => config }));
  backend.add(
    rootHttpRouterServiceFactory({
      configure({ app, server, applyDefaults }) {
        server.once('listening', () => {
          const { port } = server.address() as AddressInfo;
          process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
        });
        app.use(stockGate(definition, spec.settings));
        applyDefaults();
      },
    }),
  );
  backend.add(replacementCatalog(definition, spec.settings));
  backend.add(import(definition.packageName));
  await backend.start();
}

main().catch(error => {
  console.error(`the stock plugin process failed to start: ${(error as Error).message}`);
  process.exit(1);
});
