/**
 * The deployment and jira plugins in a real Backstage test backend with the
 * egress guard installed in this process, for the targets no test may ever
 * dial: private (10/8, 172.16/12, 192.168/16), link-local / metadata
 * (169.254.169.254), unique-local, and names resolving to them. Names come
 * from a resolver table (no DNS query leaves the machine) and the connector
 * under the guard only records: if the guard let anything through, the
 * recorder would see it and refuse to dial.
 */
import { startTestBackend } from '@backstage/backend-test-utils';
import { installEgressGuard, createEgressPolicy, type InstalledEgressGuard, type Resolve } from '@internal/egress-node';
import deploymentPlugin from '@internal/plugin-deployment-backend';
import jiraPlugin from '@internal/plugin-jira-backend';
import workspaceIsolationPlugin, { workspaceContextServiceFactory } from '@internal/plugin-workspace-isolation-backend';
import { orbitTestServices, randomServiceToken } from '@internal/plugin-workspace-isolation-backend/testUtils';
import type { AddressInfo } from 'node:net';
import { Agent, type buildConnector } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NAMES: Record<string, string[]> = {
  'ghes.internal.example': ['10.2.3.4'],
  'jira.internal.example': ['172.20.0.9'],
  'metadata.example': ['169.254.169.254'],
  'home.example': ['192.168.1.20'],
  'rebind.example': ['140.82.112.6', '192.168.0.7'],
  'v6.example': ['fd00::7'],
};
const resolve: Resolve = async host => {
  const addresses = NAMES[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map(address => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const TARGETS = [
  'http://10.0.0.1',
  'https://10.20.30.40:8443',
  'http://172.16.0.1',
  'http://172.31.255.1',
  'http://192.168.0.1',
  'http://169.254.169.254',
  'http://[fd00::1]',
  'http://[fe80::1]',
  'http://100.64.0.1',
  'https://ghes.internal.example',
  'https://jira.internal.example',
  'http://metadata.example',
  'https://home.example',
  'https://rebind.example',
  'https://v6.example',
];

describe('plugins behind the egress guard: private and metadata targets', () => {
  const token = randomServiceToken();
  const attempts: string[] = [];
  const recorder: buildConnector.connector = (options, callback) => {
    attempts.push(`${options.hostname}:${options.port}`);
    callback(new Error('the test connector never dials'), null);
  };
  // The test's own calls to the test backend bypass the guarded global dispatcher.
  const client = new Agent();
  let guard: InstalledEgressGuard;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let baseUrl: string;

  beforeAll(async () => {
    guard = installEgressGuard({
      policy: createEgressPolicy({ allowedHosts: Object.keys(NAMES) }),
      resolve,
      connect: recorder,
    });
    backend = await startTestBackend({
      features: [
        ...orbitTestServices({ token, pluginIds: ['deployment', 'jira', 'workspace-isolation'] }),
        workspaceContextServiceFactory,
        workspaceIsolationPlugin,
        deploymentPlugin,
        jiraPlugin,
      ],
    });
    const address = backend.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await backend?.stop();
    await guard?.uninstall();
    await client.close();
  });

  const call = (path: string, settings: { config: Record<string, string>; secrets: Record<string, string> }) =>
    fetch(`${baseUrl}${path}`, {
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Orbit-Workspace-Id': 'ws-egress',
        'X-Orbit-Plugin-Config': Buffer.from(JSON.stringify(settings)).toString('base64url'),
      },
      dispatcher: client,
    } as unknown as RequestInit);

  it.each(TARGETS)('%s: both plugins answer 412 and nothing is dialled', async target => {
    const deployment = await call('/api/deployment/workflows?repository=acme/checkout', {
      config: { github_api_url: target },
      secrets: { github_token: 'ghp_egress_test_token' },
    });
    const jira = await call('/api/jira/issues?projectKey=OPS', {
      config: { base_url: target, email: 'admin@example.com' },
      secrets: { api_token: 'jira-egress-test-token' },
    });
    for (const res of [deployment, jira]) {
      const text = await res.text();
      expect(res.status, text).toBe(412);
      expect(JSON.parse(text).error).toMatchObject({
        name: 'EgressRefusedError',
        message: expect.stringMatching(/address/),
      });
      // A resolved address is never shown; the workspace's own host is.
      for (const address of NAMES[new URL(target).hostname] ?? []) expect(text).not.toContain(address);
      expect(text).not.toMatch(/ghp_egress_test_token|jira-egress-test-token/);
    }
    expect(attempts).toEqual([]);
  });
});
