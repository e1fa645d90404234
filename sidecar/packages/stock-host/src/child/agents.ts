import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  type ConnectionGate,
  EgressRefusedError,
  GuardedHttpAgent,
  GuardedHttpsAgent,
  type ResolvedAddress,
} from '@internal/egress-node';

type Callback = (error: Error | null, socket?: Duplex) => void;
type CreateConnection = (this: http.Agent, options: http.ClientRequestArgs, callback?: Callback) => Duplex | undefined;

/** A lookup that answers only the addresses the gate checked (no second resolution, no rebinding). */
const lookupFrom =
  (addresses: readonly ResolvedAddress[]) =>
  (host: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    const family = options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : Number(options.family) || 0;
    const usable = addresses.filter(entry => family === 0 || entry.family === family);
    if (!usable[0]) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return options.all ? callback(null, usable) : callback(null, usable[0].address, usable[0].family);
  };

function gated(
  original: CreateConnection,
  isGuarded: (agent: http.Agent) => boolean,
  gate: ConnectionGate,
  port: number,
) {
  return function createConnection(this: http.Agent, options: http.ClientRequestArgs, callback?: Callback) {
    // The guard's own agents (Node's global ones) have checked the target already.
    if (isGuarded(this)) return original.call(this, options, callback);
    if (options.socketPath) {
      callback?.(new EgressRefusedError('plugins may not connect to Unix sockets', 'scheme'));
      return undefined;
    }
    const raw = options.host ?? options.hostname ?? 'localhost';
    const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    gate(host, Number(options.port) || port).then(
      addresses => {
        try {
          const checked = isIP(host) ? { ...options, host } : { ...options, host, lookup: lookupFrom(addresses) };
          const socket = original.call(this, checked as http.ClientRequestArgs);
          if (socket) callback?.(null, socket);
        } catch (error) {
          callback?.(error as Error);
        }
      },
      (error: Error) => callback?.(error),
    );
    return undefined;
  };
}

/**
 * The egress guard replaces Node's global agents, but a plugin that makes an
 * agent of its own (the Kubernetes backend makes an `https.Agent` per cluster,
 * for its CA) would connect past it. This puts the same gate under every
 * http and https agent of the process. Returns a function that undoes it (tests).
 */
export function guardEveryAgent(gate: ConnectionGate): () => void {
  const httpProto = http.Agent.prototype as unknown as { createConnection: CreateConnection };
  const httpsProto = https.Agent.prototype as unknown as { createConnection: CreateConnection };
  const originals = { http: httpProto.createConnection, https: httpsProto.createConnection };
  httpProto.createConnection = gated(originals.http, agent => agent instanceof GuardedHttpAgent, gate, 80);
  httpsProto.createConnection = gated(originals.https, agent => agent instanceof GuardedHttpsAgent, gate, 443);
  return () => {
    httpProto.createConnection = originals.http;
    httpsProto.createConnection = originals.https;
  };
}
