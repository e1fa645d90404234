import http from 'node:http';
import https from 'node:https';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionGate, createEgressPolicy, EgressRefusedError } from '@internal/egress-node';
import { guardEveryAgent } from './agents';

// A loopback TCP listener that counts connections: a refused target must see none.
let port = 0;
let connections = 0;
const server = createServer(socket => {
  connections++;
  socket.destroy();
});

beforeAll(() => new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve())));
beforeAll(() => {
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

/** The error a GET through `agent` ends with (the listener drops every connection, so it always ends with one). */
const failureOf = (module: typeof http | typeof https, agent: http.Agent) =>
  new Promise<Error>(resolve => {
    const req = module.get({ host: '127.0.0.1', port, path: '/', agent }, response => {
      response.resume();
      resolve(new Error(`answered ${response.statusCode}`));
    });
    req.on('error', resolve);
  });

describe('guardEveryAgent', () => {
  it("refuses a plugin's own http and https agents where the policy refuses, before any connection", async () => {
    const undo = guardEveryAgent(createConnectionGate({ policy: createEgressPolicy() }));
    try {
      const before = connections;
      expect(await failureOf(https, new https.Agent({ keepAlive: true }))).toBeInstanceOf(EgressRefusedError);
      expect(await failureOf(http, new http.Agent())).toBeInstanceOf(EgressRefusedError);
      expect(connections).toBe(before);
    } finally {
      undo();
    }
  });

  it('lets them connect where the policy allows', async () => {
    const policy = createEgressPolicy({ allowedHosts: [`127.0.0.1:${port}`], allowedPrivateNetworks: ['127.0.0.1'] });
    const undo = guardEveryAgent(createConnectionGate({ policy }));
    try {
      const before = connections;
      const failure = await failureOf(https, new https.Agent());
      expect(failure).not.toBeInstanceOf(EgressRefusedError); // the TLS handshake fails: the connection was made
      expect(connections).toBe(before + 1);
    } finally {
      undo();
    }
  });
});
