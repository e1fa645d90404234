/**
 * The egress policy in the real sidecar process (`npm start`), through the
 * real deployment and jira plugins: a workspace admin's upstream URL that
 * points at a loopback service (Redis, PostgreSQL, the sidecar itself, the
 * gateway) is refused with 412 before any connection is made; a redirect from
 * an allowed upstream to a forbidden one is refused; the explicitly allowed
 * GitHub simulator still works; refusals are counted by plugin.
 *
 * Only loopback targets here: private, link-local and metadata addresses and
 * names resolving to them are covered without any dialling in
 * plugins/egress-node/src/guard.test.ts and ./egress.plugins.test.ts.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deploymentPluginConfigHeader,
  startGitHubSimulator,
  type SimulatorProcess,
} from './testing/githubSimulatorProcess';
import { parseExposition, samplesOf } from './testing/prometheus';
import { freePort, killSidecar, startSidecar, waitUntilReady, type Sidecar } from './testing/sidecarProcess';

interface CountingServer {
  url: string;
  port: number;
  connections(): number;
  close(): Promise<void>;
}

async function countingServer(
  handler: http.RequestListener = (_req, res) => res.end('secret upstream answer'),
): Promise<CountingServer> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const jiraConfigHeader = (baseUrl: string) => ({
  'X-Orbit-Plugin-Config': Buffer.from(
    JSON.stringify({
      config: { base_url: baseUrl, email: 'admin@example.com' },
      secrets: { api_token: 'jira-token-for-egress-test' },
    }),
  ).toString('base64url'),
});

describe('sidecar egress policy (real process)', () => {
  const token = randomBytes(24).toString('base64url');
  let baseUrl: string;
  let sidecarPort: number;
  let metricsUrl: string;
  let simulator: SimulatorProcess;
  let gatewayStandIn: CountingServer;
  let redirector: CountingServer;
  let sidecar: Sidecar;

  beforeAll(async () => {
    simulator = await startGitHubSimulator();
    gatewayStandIn = await countingServer();
    redirector = await countingServer((req, res) => {
      res.writeHead(302, { location: `${gatewayStandIn.url}${req.url ?? '/'}` }).end();
    });
    [sidecarPort] = [await freePort()];
    const metricsPort = await freePort();
    baseUrl = `http://127.0.0.1:${sidecarPort}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    sidecar = startSidecar({
      BACKSTAGE_SERVICE_TOKEN: token,
      SIDECAR_PORT: String(sidecarPort),
      SIDECAR_HOST: '127.0.0.1',
      SIDECAR_METRICS_ENABLED: 'true',
      SIDECAR_METRICS_PORT: String(metricsPort),
      TRACING_ENABLED: 'false',
      // The simulator and the redirector are allowed explicitly, by address and port.
      ORBIT_EGRESS_ALLOWED_HOSTS: `${new URL(simulator.apiUrl).host} ${new URL(redirector.url).host}`,
      ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: undefined,
    });
    await waitUntilReady(baseUrl, sidecar);
  });

  afterAll(async () => {
    await killSidecar(sidecar);
    await killSidecar(simulator?.process);
    await gatewayStandIn?.close();
    await redirector?.close();
  });

  const call = (path: string, headers: Record<string, string>) =>
    fetch(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Orbit-Workspace-Id': 'ws-egress', ...headers },
    });

  it('still reaches the explicitly allowed GitHub simulator', async () => {
    const res = await call(
      '/api/deployment/workflows?repository=acme/checkout',
      deploymentPluginConfigHeader(simulator.apiUrl),
    );
    expect(res.status).toBe(200);
  });

  const forbiddenTargets = () => [
    ['Redis', 'http://127.0.0.1:6379'],
    ['PostgreSQL', 'http://127.0.0.1:5432'],
    ['the sidecar itself', baseUrl],
    ['the gateway', gatewayStandIn.url],
    ['IPv6 loopback', `http://[::1]:${gatewayStandIn.port}`],
    ['localhost by name', `http://localhost:${gatewayStandIn.port}`],
  ];

  it('answers 412 naming the rule for every loopback target, in both plugins, without connecting', async () => {
    for (const [what, target] of forbiddenTargets()) {
      const deployment = await call(
        '/api/deployment/workflows?repository=acme/checkout',
        deploymentPluginConfigHeader(target!),
      );
      const jira = await call('/api/jira/issues?projectKey=OPS', jiraConfigHeader(target!));
      for (const [plugin, res] of [
        ['deployment', deployment],
        ['jira', jira],
      ] as const) {
        const text = await res.text();
        expect(res.status, `${plugin} → ${what}: ${text}`).toBe(412);
        const body = JSON.parse(text) as { error: { name: string; message: string } };
        expect(body.error.name).toBe('EgressRefusedError');
        expect(body.error.message).toMatch(
          /^Egress policy refused the connection: .*(loopback address|not in the egress allow-list)/,
        );
        expect(text).not.toContain('secret upstream answer');
        expect(text).not.toContain('jira-token-for-egress-test');
      }
    }
    expect(gatewayStandIn.connections()).toBe(0);
  });

  it('refuses a redirect from an allowed upstream to a forbidden one', async () => {
    const res = await call(
      '/api/deployment/workflows?repository=acme/checkout',
      deploymentPluginConfigHeader(redirector.url),
    );
    const text = await res.text();
    expect(res.status, text).toBe(412);
    expect(text).toContain(`127.0.0.1:${gatewayStandIn.port} is a loopback address`);
    expect(redirector.connections()).toBeGreaterThan(0);
    expect(gatewayStandIn.connections()).toBe(0);
  });

  it('counts refusals by plugin and rule on the metrics page', async () => {
    const page = parseExposition(await (await fetch(metricsUrl)).text());
    const refused = (plugin: string) =>
      samplesOf(page, 'orbit_egress_refusals_total', { plugin }).reduce((sum, sample) => sum + sample.value, 0);
    // Six targets each (the deployment plugin also once for the redirect hop).
    expect(refused('deployment')).toBe(7);
    expect(refused('jira')).toBe(6);
    expect(samplesOf(page, 'orbit_egress_refusals_total', { plugin: 'jira', rule: 'address-range' })[0]?.value).toBe(5);
    expect(samplesOf(page, 'orbit_egress_refusals_total', { plugin: 'jira', rule: 'host-not-allowed' })[0]?.value).toBe(
      1,
    );
  });
});
