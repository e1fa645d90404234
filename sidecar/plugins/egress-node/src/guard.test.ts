/**
 * The guard with real sockets, and never a packet beyond the loopback
 * interface: refused loopback targets are real listening servers that count
 * their connections (they must see none); private, link-local and metadata
 * targets only ever reach a recording connector that dials nothing but the
 * explicitly allowed loopback servers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConnector } from 'undici';
import { EgressRefusedError, findEgressRefusal } from './errors';
import {
  createConnectionGate,
  createEgressDispatcher,
  GuardedHttpAgent,
  installEgressGuard,
  type Resolve,
} from './guard';
import { runInPluginScope, currentPluginId } from './pluginScope';
import { createEgressPolicy } from '@internal/egress-common';

interface CountingServer {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** A loopback HTTP server that counts TCP connections; `handler` answers. */
async function countingServer(
  handler: http.RequestListener = (_req, res) => res.end('reached'),
): Promise<CountingServer> {
  const server = http.createServer(handler);
  const counter = { connections: 0 };
  server.on('connection', () => {
    counter.connections++;
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return counter.connections;
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Names for the tests; anything else is unknown (no real DNS query is made). */
function resolverFor(table: Record<string, string[]>): Resolve {
  return async host => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map(address => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

let simulator: CountingServer; // explicitly allowed, like the GitHub/Jira simulators
let forbidden: CountingServer; // stands for Redis, PostgreSQL, the sidecar, the gateway
let redirector: CountingServer; // allowed; redirects to wherever ?to= says

beforeAll(async () => {
  simulator = await countingServer();
  forbidden = await countingServer();
  redirector = await countingServer((req, res) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
    res.writeHead(302, { location: to }).end();
  });
});

afterAll(async () => {
  await Promise.all([simulator.close(), forbidden.close(), redirector.close()]);
});

const allowedHosts = () => [
  `127.0.0.1:${simulator.port}`,
  `127.0.0.1:${redirector.port}`,
  'allowed.example',
  'allowed.example:8443',
  'rebind.example',
  'metadata.example',
  'internal.example',
  'six.example',
  'mapped.example',
];

const NAMES = () =>
  resolverFor({
    'allowed.example': ['127.0.0.1'], // an allowed name resolving to loopback is still refused
    'redis.example': ['127.0.0.1'],
    'rebind.example': ['140.82.112.6', '127.0.0.1'],
    'metadata.example': ['169.254.169.254'],
    'internal.example': ['10.1.2.3'],
    'six.example': ['::1'],
    'mapped.example': ['::ffff:192.168.1.1'],
  });

/**
 * The connector under the guard in these tests: dials the allowed loopback
 * servers for real, records and refuses anything else, so a broken guard
 * fails the test instead of sending traffic.
 */
function recordingConnector() {
  const real = buildConnector({});
  const attempts: string[] = [];
  const connector: buildConnector.connector = (options, callback) => {
    const port = Number(options.port);
    if (options.hostname === '127.0.0.1' && (port === simulator.port || port === redirector.port)) {
      real(options, callback);
      return;
    }
    attempts.push(`${options.hostname}:${options.port}`);
    callback(new Error('the test connector refuses to dial this'), null);
  };
  return { connector, attempts };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('fetch through the guarded dispatcher', () => {
  const refusals: EgressRefusedError[] = [];
  let setup: ReturnType<typeof recordingConnector>;
  let dispatcher: ReturnType<typeof createEgressDispatcher>;

  beforeAll(() => {
    setup = recordingConnector();
    const gate = createConnectionGate({
      policy: createEgressPolicy({ allowedHosts: allowedHosts() }),
      resolve: NAMES(),
      onRefusal: refusal => refusals.push(refusal),
    });
    dispatcher = createEgressDispatcher(gate, setup.connector);
  });
  afterAll(() => dispatcher.close());

  const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, dispatcher } as unknown as RequestInit);

  it('reaches an explicitly allowed loopback simulator', async () => {
    const response = await get(`http://127.0.0.1:${simulator.port}/x`);
    expect(await response.text()).toBe('reached');
  });

  it.each([
    ['http://127.0.0.1:6379/', 'address-range'], // Redis
    ['http://127.0.0.1:5432/', 'address-range'], // PostgreSQL
    ['http://127.0.0.1:7007/api/deployment/health', 'address-range'], // the sidecar
    ['http://127.0.0.1:50053/', 'address-range'], // the gateway
    ['http://[::1]:6379/', 'address-range'],
    ['http://[::ffff:127.0.0.1]:6379/', 'address-range'],
    ['http://169.254.169.254/latest/meta-data/', 'address-range'],
    ['http://10.0.0.1/', 'address-range'],
    ['http://10.255.255.254:8080/', 'address-range'],
    ['http://172.16.0.1/', 'address-range'],
    ['http://172.31.0.1/', 'address-range'],
    ['http://192.168.0.1/', 'address-range'],
    ['http://100.64.0.1/', 'address-range'],
    ['http://[fd00::1]/', 'address-range'],
    ['http://[fe80::1]/', 'address-range'],
    ['http://0.0.0.0:6379/', 'address-range'],
    ['http://2130706433:6379/', 'address-range'], // 127.0.0.1 spelled as one number
    ['http://0x7f.1:6379/', 'address-range'],
    ['http://allowed.example/', 'address-range'],
    ['http://redis.example:6379/', 'host-not-allowed'],
    ['http://rebind.example/', 'address-range'],
    ['http://metadata.example/latest/meta-data/', 'address-range'],
    ['https://internal.example/', 'address-range'],
    ['http://six.example/', 'address-range'],
    ['http://mapped.example/', 'address-range'],
    ['https://api.github.com.evil.example/', 'host-not-allowed'],
    ['http://allowed.example:6379/', 'host-not-allowed'],
  ])('refuses %s (%s) without dialling', async (url, rule) => {
    const before = refusals.length;
    const error = await failureOf(get(url));
    const refusal = findEgressRefusal(error);
    expect(refusal?.rule).toBe(rule);
    expect(refusals.length).toBe(before + 1);
    expect(setup.attempts).toEqual([]);
  });

  it('re-checks every redirect hop', async () => {
    for (const to of [
      `http://127.0.0.1:${forbidden.port}/`,
      'http://169.254.169.254/latest/meta-data/iam/',
      'http://10.0.0.5/',
      'http://metadata.example/',
      'http://[::1]:6379/',
    ]) {
      const error = await failureOf(get(`http://127.0.0.1:${redirector.port}/?to=${encodeURIComponent(to)}`));
      expect(findEgressRefusal(error)?.rule, to).toBe('address-range');
    }
    expect(setup.attempts).toEqual([]);
    expect(forbidden.connections).toBe(0);
    // A redirect to another allowed host is followed.
    const followed = await get(
      `http://127.0.0.1:${redirector.port}/?to=${encodeURIComponent(`http://127.0.0.1:${simulator.port}/y`)}`,
    );
    expect(await followed.text()).toBe('reached');
  });
});

describe('the installed guard (global fetch, http.request)', () => {
  let installed: ReturnType<typeof installEgressGuard>;
  const seenBy: Array<string | undefined> = [];

  beforeAll(() => {
    installed = installEgressGuard({
      policy: createEgressPolicy({ allowedHosts: allowedHosts() }),
      resolve: NAMES(),
      onRefusal: () => seenBy.push(currentPluginId()),
    });
  });
  afterAll(() => installed.uninstall());

  it('lets global fetch reach the allowed simulator and refuses a loopback service, which sees no connection', async () => {
    expect(await (await fetch(`http://127.0.0.1:${simulator.port}/`)).text()).toBe('reached');
    const error = await runInPluginScope('jira', () => failureOf(fetch(`http://127.0.0.1:${forbidden.port}/`)));
    expect(findEgressRefusal(error)?.message).toBe(
      `Egress policy refused the connection: 127.0.0.1:${forbidden.port} is a loopback address, which plugins may not reach unless an operator allows 127.0.0.1:${forbidden.port} in ORBIT_EGRESS_ALLOWED_HOSTS`,
    );
    const viaName = await failureOf(fetch(`http://allowed.example/`));
    expect(findEgressRefusal(viaName)?.message).toContain('allowed.example resolves to a loopback address');
    expect(forbidden.connections).toBe(0);
    expect(seenBy).toEqual(['jira', undefined]);
  });

  const request = (url: string, agent?: http.Agent) =>
    new Promise<string>((resolve, reject) => {
      const req = http.get(url, agent ? { agent } : {}, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
    });

  it('guards http.request through http.globalAgent (node-fetch, axios)', async () => {
    expect(await request(`http://127.0.0.1:${simulator.port}/`)).toBe('reached');
    for (const url of [
      `http://127.0.0.1:${forbidden.port}/`,
      `http://[::1]:${forbidden.port}/`,
      'http://allowed.example/',
      `http://redis.example:${forbidden.port}/`,
    ]) {
      expect(findEgressRefusal(await failureOf(request(url))), url).toBeInstanceOf(EgressRefusedError);
    }
    expect(forbidden.connections).toBe(0);
  });

  it('guards http.request with agent: false (a fresh agent per request, as http-proxy sends them)', async () => {
    const fresh = (url: string) =>
      new Promise<string>((resolve, reject) => {
        http
          .get(url, { agent: false }, res => {
            res.setEncoding('utf8');
            let body = '';
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    expect(await fresh(`http://127.0.0.1:${simulator.port}/`)).toBe('reached');
    expect(findEgressRefusal(await failureOf(fresh(`http://127.0.0.1:${forbidden.port}/`)))).toBeInstanceOf(
      EgressRefusedError,
    );
    expect(forbidden.connections).toBe(0);
  });

  it('refuses Unix sockets', async () => {
    const error = await failureOf(
      new Promise((resolve, reject) => {
        http.get({ socketPath: '/var/run/docker.sock', path: '/containers/json' }, resolve).on('error', reject);
      }),
    );
    expect(findEgressRefusal(error)?.rule).toBe('scheme');
  });

  it('guards an agent built on GuardedHttpAgent like the global one', async () => {
    const agent = new GuardedHttpAgent(installed.gate);
    try {
      expect(findEgressRefusal(await failureOf(request(`http://127.0.0.1:${forbidden.port}/`, agent)))).toBeDefined();
      expect(await request(`http://127.0.0.1:${simulator.port}/`, agent)).toBe('reached');
    } finally {
      agent.destroy();
    }
    expect(forbidden.connections).toBe(0);
  });
});

describe('a name the operator allows on a private network', () => {
  // sim.example resolves to the loopback simulator; 127.0.0.1/32 is allowed for allowed names only.
  const gate = () =>
    createConnectionGate({
      policy: createEgressPolicy({
        allowedHosts: [`sim.example:${simulator.port}`],
        allowedPrivateNetworks: ['127.0.0.1/32'],
      }),
      resolve: resolverFor({ 'sim.example': ['127.0.0.1'], 'other.example': ['127.0.0.1'] }),
    });

  it('is reached through the checked addresses, by fetch and by http.request, and other names are not', async () => {
    const dispatcher = createEgressDispatcher(gate());
    const agent = new GuardedHttpAgent(gate());
    try {
      const viaFetch = await fetch(`http://sim.example:${simulator.port}/`, { dispatcher } as unknown as RequestInit);
      expect(await viaFetch.text()).toBe('reached');
      const viaHttp = await new Promise<string>((resolve, reject) => {
        http
          .get(`http://sim.example:${simulator.port}/`, { agent }, res => {
            res.setEncoding('utf8');
            let body = '';
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
      expect(viaHttp).toBe('reached');
      const other = await failureOf(
        fetch(`http://other.example:${simulator.port}/`, { dispatcher } as unknown as RequestInit),
      );
      expect(findEgressRefusal(other)?.rule).toBe('host-not-allowed');
    } finally {
      agent.destroy();
      await dispatcher.close();
    }
  });
});
