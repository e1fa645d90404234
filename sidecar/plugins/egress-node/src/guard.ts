/**
 * Enforcement of the egress policy where connections are made.
 *
 * One gate decides every outgoing connection of the process's plugins: it
 * checks host and port against the allow-list, resolves a name itself and
 * checks every address the name resolves to. The socket is then opened with a
 * `lookup` that answers exactly those checked addresses (Node's happy eyeballs
 * still races them), so a DNS answer that changes between check and connect
 * (rebinding) cannot steer it elsewhere. TLS keeps the name for SNI and
 * certificate checks.
 *
 * The gate sits under both HTTP stacks of Node:
 * - undici's global dispatcher, used by global `fetch` (our plugins' GitHub
 *   and Jira clients, @octokit/auth-app through our request function, stock
 *   plugins using fetch); every redirect hop is a new dispatch to a new origin
 *   and therefore passes the gate again;
 * - `http.globalAgent` / `https.globalAgent`, used by `http(s).request`,
 *   node-fetch and axios unless a caller brings its own agent. Unix sockets
 *   (`socketPath`) are refused.
 *
 * Connections the backend makes itself (database, OTLP exporter with its own
 * agent) do not go through these and are not affected.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { Agent, buildConnector, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { EgressRefusedError } from './errors';
import type { EgressPolicy, EgressVerdict } from '@internal/egress-common';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Name → addresses (all of them). The system resolver by default; tests inject a table. */
export type Resolve = (host: string) => Promise<ResolvedAddress[]>;

const systemResolve: Resolve = host => lookup(host, { all: true });

export interface EgressGuardOptions {
  policy: EgressPolicy;
  resolve?: Resolve;
  /** Called once per refused connection (metrics, logs). */
  onRefusal?: (refusal: EgressRefusedError) => void;
  /** The undici connector under the gate; undici's own by default (tests pass a recorder). */
  connect?: buildConnector.connector;
}

/** host:port → the checked addresses to connect to (one for an IP literal), or EgressRefusedError. */
export type ConnectionGate = (host: string, port: number) => Promise<ResolvedAddress[]>;

const bareHost = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

export function createConnectionGate(options: EgressGuardOptions): ConnectionGate {
  const { policy, onRefusal } = options;
  const resolve = options.resolve ?? systemResolve;
  const refuse = (verdict: Exclude<EgressVerdict, { allowed: true }>): never => {
    const refusal = new EgressRefusedError(verdict.reason, verdict.rule);
    onRefusal?.(refusal);
    throw refusal;
  };

  return async (rawHost, port) => {
    const host = bareHost(rawHost);
    const target = policy.checkTarget(host, port);
    if (!target.allowed) refuse(target);
    const family = isIP(host);
    if (family !== 0) return [{ address: host, family }];
    const addresses = await resolve(host);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    }
    // One refused address refuses the name: a caller may not pick its luck.
    for (const { address } of addresses) {
      const verdict = policy.checkResolvedAddress(host, address);
      if (!verdict.allowed) refuse(verdict);
    }
    return addresses;
  };
}

type LookupCallback = (error: Error | null, address: string | ResolvedAddress[], family?: number) => void;

/** A `net.connect` lookup that can only answer addresses the gate has checked. */
function answerWith(addresses: readonly ResolvedAddress[]) {
  return (_host: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    const family = options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : Number(options.family) || 0;
    const usable = family === 0 ? [...addresses] : addresses.filter(entry => entry.family === family);
    const [first] = usable;
    if (!first) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${_host}`), { code: 'ENOTFOUND' }), []);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, first.address, first.family);
    }
  };
}

const defaultPort = (protocol: string | undefined) => (protocol === 'https:' ? 443 : 80);

/**
 * An undici connector that connects only where the gate says. `connect` is
 * the connector underneath (tests pass a recorder so that a refused target
 * could never be dialled even if the gate were wrong). By default it is
 * undici's own, with a lookup that answers the addresses the gate checked for
 * the name a moment before (kept per name; any entry is a checked one).
 */
export function createGuardedConnector(
  gate: ConnectionGate,
  connect?: buildConnector.connector,
): buildConnector.connector {
  const checked = new Map<string, ResolvedAddress[]>();
  const base =
    connect ??
    buildConnector({
      lookup: (host: string, options: { all?: boolean; family?: number }, callback: LookupCallback) =>
        answerWith(checked.get(host) ?? [])(host, options, callback),
    } as buildConnector.BuildOptions);
  return (options, callback) => {
    const host = bareHost(options.hostname);
    const port = Number(options.port) || defaultPort(options.protocol);
    gate(host, port).then(
      addresses => {
        if (isIP(host) === 0) checked.set(host, addresses);
        base({ ...options, hostname: host }, callback);
      },
      (error: Error) => callback(error, null),
    );
  };
}

export function createEgressDispatcher(gate: ConnectionGate, connect?: buildConnector.connector): Agent {
  return new Agent({ connect: createGuardedConnector(gate, connect) });
}

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

/** The part of http.Agent#createConnection both agents share: gate first, then the stock connection to the address. */
function gatedConnection(
  gate: ConnectionGate,
  options: http.ClientRequestArgs,
  callback: ConnectionCallback | undefined,
  protocol: 'http:' | 'https:',
  open: (options: http.ClientRequestArgs) => Duplex | null | undefined,
): undefined {
  const fail = (error: Error) => callback?.(error, undefined as unknown as Duplex);
  if (options.socketPath) {
    fail(new EgressRefusedError('plugins may not connect to Unix sockets', 'scheme'));
    return undefined;
  }
  const host = bareHost(options.host ?? options.hostname ?? 'localhost');
  const port = Number(options.port) || defaultPort(protocol);
  gate(host, port).then(
    addresses => {
      try {
        const socket = open({ ...options, host, lookup: answerWith(addresses) as http.ClientRequestArgs['lookup'] });
        if (socket) callback?.(null, socket);
      } catch (error) {
        fail(error as Error);
      }
    },
    (error: Error) => fail(error),
  );
  return undefined;
}

/**
 * The gate of the installed guard. Node builds a fresh agent with
 * `new http.globalAgent.constructor()` (no arguments) for a request with
 * `agent: false`, as http-proxy (Backstage's proxy backend) sends every
 * request: such an agent takes this gate.
 */
let installedGate: ConnectionGate | undefined;

function gateOrInstalled(gate: ConnectionGate | undefined): ConnectionGate {
  const chosen = gate ?? installedGate;
  if (!chosen) throw new Error('a guarded agent needs a gate: pass one, or install the egress guard first');
  return chosen;
}

export class GuardedHttpAgent extends http.Agent {
  private readonly gate: ConnectionGate;

  constructor(gate?: ConnectionGate, options?: http.AgentOptions) {
    super(options);
    this.gate = gateOrInstalled(gate);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback): undefined {
    return gatedConnection(this.gate, options, callback, 'http:', checked => super.createConnection(checked));
  }
}

export class GuardedHttpsAgent extends https.Agent {
  private readonly gate: ConnectionGate;

  constructor(gate?: ConnectionGate, options?: https.AgentOptions) {
    super(options);
    this.gate = gateOrInstalled(gate);
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectionCallback): undefined {
    // https.Agent has already set `servername` from the original host name.
    return gatedConnection(this.gate, options, callback, 'https:', checked => super.createConnection(checked));
  }
}

export interface InstalledEgressGuard {
  readonly gate: ConnectionGate;
  /** Puts back the dispatcher and agents that were there before (tests). */
  uninstall(): Promise<void>;
}

/**
 * Replaces undici's global dispatcher and node's global http/https agents
 * with guarded ones. Call once at start-up, before plugins load.
 */
export function installEgressGuard(options: EgressGuardOptions): InstalledEgressGuard {
  const gate = createConnectionGate(options);
  const previous: { dispatcher: Dispatcher; http: http.Agent; https: https.Agent } = {
    dispatcher: getGlobalDispatcher(),
    http: http.globalAgent,
    https: https.globalAgent,
  };
  const dispatcher = createEgressDispatcher(gate, options.connect);
  // Node's own defaults for its global agents (keep-alive, 5 s idle timeout).
  const httpAgent = new GuardedHttpAgent(gate, { keepAlive: true, timeout: 5000 });
  const httpsAgent = new GuardedHttpsAgent(gate, { keepAlive: true, timeout: 5000 });
  setGlobalDispatcher(dispatcher);
  http.globalAgent = httpAgent;
  https.globalAgent = httpsAgent;
  const before = installedGate;
  installedGate = gate;
  return {
    gate,
    async uninstall() {
      installedGate = before;
      setGlobalDispatcher(previous.dispatcher);
      http.globalAgent = previous.http;
      https.globalAgent = previous.https;
      httpAgent.destroy();
      httpsAgent.destroy();
      await dispatcher.close();
    },
  };
}
