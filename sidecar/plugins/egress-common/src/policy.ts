/**
 * Orbit's egress policy: where a plugin may connect. Pure (no I/O, no DNS):
 * the sidecar's guard (./guard.ts) asks it about every connection it is about
 * to open, the gateway asks it about URL settings at EnablePlugin /
 * UpdatePluginConfig.
 *
 * A connection to host H, port P is allowed when
 * 1. an allowed-host rule matches H and P: an exact name (`api.github.com`), a
 *    suffix pattern (`*.atlassian.net`, any depth, not the bare suffix), with
 *    an optional port (without one: 80 and 443 only); or an IP literal with a
 *    port (`127.0.0.1:4010`, `[::1]:4010`), which is also the explicit
 *    allowance of that one address and port, whatever its range; and
 * 2. for a name, every address it resolves to is public unicast, or lies in
 *    an allowed private network (CIDR, e.g. `10.20.0.0/16` for an internal
 *    GHES). Loopback, RFC 1918, link-local (169.254.169.254 included), CGNAT,
 *    unique-local, multicast, unspecified, reserved and the IPv6 ranges that
 *    embed IPv4 (6to4, Teredo, NAT64) are refused; IPv4-mapped IPv6 addresses
 *    are judged as the IPv4 address they carry.
 *
 * The gateway imports this file too (src/egress/policy.ts), so it must stay
 * free of Backstage and sidecar dependencies: node:net and ipaddr.js only.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** The public hosts of the shipped plugins: GitHub (and GHE.com data residency), Jira Cloud. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['api.github.com', '*.ghe.com', '*.atlassian.net'];

/** The names of the settings, as operators write them (environment variables of both processes). */
export const ALLOWED_HOSTS_SETTING = 'ORBIT_EGRESS_ALLOWED_HOSTS';
export const ALLOWED_PRIVATE_NETWORKS_SETTING = 'ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS';

/** Why a connection is refused: the rule, for messages and metric labels. */
export type EgressRule = 'scheme' | 'host-not-allowed' | 'address-range';

export type EgressVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: EgressRule; readonly reason: string };

export interface EgressPolicySettings {
  /** Operator additions to DEFAULT_ALLOWED_HOSTS. */
  readonly allowedHosts?: readonly string[];
  /** CIDRs (or single addresses) that allowed names may resolve to although not public. */
  readonly allowedPrivateNetworks?: readonly string[];
}

export interface EgressPolicy {
  /** An http(s) URL's scheme, host and port; for an IP literal also its address. */
  checkUrl(url: string | URL): EgressVerdict;
  /** A connection target before name resolution (for an IP literal, final). */
  checkTarget(host: string, port: number): EgressVerdict;
  /** One address that an allowed name resolved to. */
  checkResolvedAddress(host: string, address: string): EgressVerdict;
  /** The rules in force, normalised (for logs and docs). */
  readonly allowedHosts: readonly string[];
  readonly allowedPrivateNetworks: readonly string[];
}

export class EgressSettingError extends Error {
  override name = 'EgressSettingError';
}

interface HostRule {
  readonly text: string;
  /** Lower-case name without trailing dot, the suffix of a pattern (`.atlassian.net`), or a normalised address. */
  readonly host: string;
  readonly kind: 'name' | 'suffix' | 'address';
  readonly port: number | undefined;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const DEFAULT_PORTS = [80, 443];

/** Splits a setting's value into entries: commas and/or whitespace. */
export function settingEntries(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(entry => entry !== '');
}

function parsePort(text: string, entry: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new EgressSettingError(`"${entry}" has no valid port (1-65535)`);
  }
  return Number(text);
}

/** `[v6]` or `v6` → the address; anything else unchanged. Lower case, no trailing dot. */
function normaliseHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** The address as ipaddr.js sees it, IPv4-mapped IPv6 unwrapped; undefined for a name. */
function parseAddress(host: string): Address | undefined {
  const bare = normaliseHost(host);
  if (isIP(bare) === 0) return undefined;
  const parsed = ipaddr.parse(bare);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
}

function parseHostRule(entry: string): HostRule {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  let host: string;
  let portText: string | undefined;
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (isIP(entry) === 6) {
    host = entry;
  } else {
    const colon = entry.lastIndexOf(':');
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
  }
  const port = portText === undefined ? undefined : parsePort(portText, entry);
  const address = parseAddress(host);
  if (address) {
    if (port === undefined) {
      throw new EgressSettingError(`"${entry}" is an IP address without a port; allow an address only as address:port`);
    }
    return { text: entry, host: address.toString(), kind: 'address', port };
  }
  const name = normaliseHost(host);
  if (name.startsWith('*.')) {
    const suffix = name.slice(2);
    if (!NAME.test(suffix) || !suffix.includes('.')) {
      throw new EgressSettingError(`"${entry}" is not a valid host pattern (*.example.com)`);
    }
    return { text: entry, host: `.${suffix}`, kind: 'suffix', port };
  }
  if (!NAME.test(name)) throw new EgressSettingError(`"${entry}" is not a valid host name`);
  return { text: entry, host: name, kind: 'name', port };
}

function parseNetwork(entry: string): [Address, number] {
  try {
    if (entry.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      return [address, bits];
    }
    const address = ipaddr.parse(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new EgressSettingError(`"${entry}" is not an IP network (CIDR such as 10.20.0.0/16, or an address)`);
  }
}

/** The range name ipaddr.js gives the address (`unicast` = public). */
export function addressRange(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed) throw new EgressSettingError(`"${address}" is not an IP address`);
  return parsed.range();
}

const RANGE_WORDS: Readonly<Record<string, string>> = {
  loopback: 'a loopback',
  private: 'a private (RFC 1918)',
  linkLocal: 'a link-local (cloud metadata)',
  carrierGradeNat: 'a carrier-grade NAT',
  uniqueLocal: 'a unique-local',
  multicast: 'a multicast',
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
};

const describeRange = (range: string) => `${RANGE_WORDS[range] ?? `a non-public (${range})`} address`;

function matches(rule: HostRule, host: string, port: number): boolean {
  const portOk = rule.port === undefined ? DEFAULT_PORTS.includes(port) : rule.port === port;
  if (!portOk) return false;
  if (rule.kind === 'suffix') return host.endsWith(rule.host) && host.length > rule.host.length;
  return rule.host === host;
}

export function createEgressPolicy(settings: EgressPolicySettings = {}): EgressPolicy {
  const hostEntries = [...DEFAULT_ALLOWED_HOSTS, ...(settings.allowedHosts ?? [])];
  const rules = hostEntries.map(parseHostRule);
  const networks = (settings.allowedPrivateNetworks ?? []).map(parseNetwork);

  const inAllowedNetwork = (address: Address) =>
    networks.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));

  function checkTarget(rawHost: string, port: number): EgressVerdict {
    const address = parseAddress(rawHost);
    const host = address ? address.toString() : normaliseHost(rawHost);
    const shown = address?.kind() === 'ipv6' ? `[${host}]:${port}` : `${host}:${port}`;
    const rule = rules.find(
      candidate =>
        (address ? candidate.kind === 'address' : candidate.kind !== 'address') && matches(candidate, host, port),
    );
    if (rule) return { allowed: true };
    if (address && address.range() !== 'unicast' && !inAllowedNetwork(address)) {
      return {
        allowed: false,
        rule: 'address-range',
        reason: `${shown} is ${describeRange(address.range())}, which plugins may not reach unless an operator allows ${shown} in ${ALLOWED_HOSTS_SETTING}`,
      };
    }
    return {
      allowed: false,
      rule: 'host-not-allowed',
      reason: `${shown} is not in the egress allow-list; an operator can add it to ${ALLOWED_HOSTS_SETTING}`,
    };
  }

  function checkResolvedAddress(rawHost: string, rawAddress: string): EgressVerdict {
    const address = parseAddress(rawAddress);
    if (!address) {
      return {
        allowed: false,
        rule: 'address-range',
        reason: `${normaliseHost(rawHost)} resolved to something that is not an IP address`,
      };
    }
    const range = address.range();
    if (range === 'unicast' || inAllowedNetwork(address)) return { allowed: true };
    return {
      allowed: false,
      rule: 'address-range',
      reason: `${normaliseHost(rawHost)} resolves to ${describeRange(range)}, which plugins may not reach unless an operator lists its network in ${ALLOWED_PRIVATE_NETWORKS_SETTING}`,
    };
  }

  function checkUrl(input: string | URL): EgressVerdict {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch {
      return { allowed: false, rule: 'scheme', reason: 'not an absolute http(s) URL' };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return { allowed: false, rule: 'scheme', reason: `the scheme ${url.protocol.slice(0, -1)} is not http or https` };
    }
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return checkTarget(url.hostname, port);
  }

  return {
    checkUrl,
    checkTarget,
    checkResolvedAddress,
    allowedHosts: rules.map(rule => rule.text),
    allowedPrivateNetworks: networks.map(([network, bits]) => `${network.toString()}/${bits}`),
  };
}

/** The policy the settings in `env` describe (both processes read the same variables). */
export function egressPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): EgressPolicy {
  return createEgressPolicy({
    allowedHosts: settingEntries(env[ALLOWED_HOSTS_SETTING]),
    allowedPrivateNetworks: settingEntries(env[ALLOWED_PRIVATE_NETWORKS_SETTING]),
  });
}
