import { describe, expect, it } from 'vitest';
import { addressRange, createEgressPolicy, EgressSettingError, egressPolicyFromEnv } from './policy';

const policy = createEgressPolicy({ allowedHosts: ['ghes.example.com:8443', '127.0.0.1:4010', '[::1]:4011'] });

describe('egress policy: host rules', () => {
  it.each([
    ['https://api.github.com/repos/o/r', true],
    ['https://API.GitHub.com./x', true],
    ['http://api.github.com/', true],
    ['https://api.github.com:8443/', false],
    ['https://acme.atlassian.net/rest/api/3/search/jql', true],
    ['https://a.b.atlassian.net/', true],
    ['https://atlassian.net/', false],
    ['https://evilatlassian.net/', false],
    ['https://atlassian.net.evil.example/', false],
    ['https://api.acme.ghe.com/', true],
    ['https://ghes.example.com:8443/api/v3', true],
    ['https://ghes.example.com/api/v3', false],
    ['http://127.0.0.1:4010/', true],
    ['http://[::1]:4011/', true],
    ['http://[::ffff:127.0.0.1]:4010/', true],
    ['http://127.0.0.1:4011/', false],
    ['https://example.com/', false],
  ])('%s → allowed %s', (url, allowed) => {
    expect(policy.checkUrl(url).allowed).toBe(allowed);
  });

  it('refuses other schemes and relative URLs with the scheme rule', () => {
    expect(policy.checkUrl('ftp://api.github.com/')).toMatchObject({ allowed: false, rule: 'scheme' });
    expect(policy.checkUrl('file:///etc/passwd')).toMatchObject({ allowed: false, rule: 'scheme' });
    expect(policy.checkUrl('/relative')).toMatchObject({ allowed: false, rule: 'scheme' });
  });

  it('names the rule and the setting, and a non-public literal by its range', () => {
    expect(policy.checkUrl('https://example.com/')).toEqual({
      allowed: false,
      rule: 'host-not-allowed',
      reason: 'example.com:443 is not in the egress allow-list; an operator can add it to ORBIT_EGRESS_ALLOWED_HOSTS',
    });
    expect(policy.checkUrl('http://127.0.0.1:6379/')).toMatchObject({
      rule: 'address-range',
      reason: expect.stringContaining('127.0.0.1:6379 is a loopback address'),
    });
    expect(policy.checkUrl('http://169.254.169.254/latest/meta-data/')).toMatchObject({
      rule: 'address-range',
      reason: expect.stringContaining('link-local (cloud metadata)'),
    });
  });
});

describe('egress policy: address ranges', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fd00::1', 'uniqueLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::', '6to4'],
    ['140.82.112.6', 'unicast'],
    ['2606:4700::1111', 'unicast'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });

  it.each([
    '127.0.0.1',
    '::1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.10',
    '169.254.169.254',
    '100.64.1.1',
    'fd12::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '0.0.0.0',
  ])('refuses %s as the address of an allowed name', address => {
    expect(policy.checkResolvedAddress('api.github.com', address)).toMatchObject({
      allowed: false,
      rule: 'address-range',
    });
  });

  it('does not show the resolved address in the reason', () => {
    const verdict = policy.checkResolvedAddress('api.github.com', '10.9.8.7');
    expect(verdict).toMatchObject({
      reason: expect.stringContaining('api.github.com resolves to a private (RFC 1918) address'),
    });
    expect(JSON.stringify(verdict)).not.toContain('10.9.8.7');
  });

  it('accepts public addresses and the operator’s private networks', () => {
    const internal = createEgressPolicy({
      allowedHosts: ['ghes.corp.example'],
      allowedPrivateNetworks: ['10.20.0.0/16', 'fd00:1::/32'],
    });
    expect(internal.checkResolvedAddress('ghes.corp.example', '140.82.112.6').allowed).toBe(true);
    expect(internal.checkResolvedAddress('ghes.corp.example', '10.20.3.4').allowed).toBe(true);
    expect(internal.checkResolvedAddress('ghes.corp.example', '::ffff:10.20.3.4').allowed).toBe(true);
    expect(internal.checkResolvedAddress('ghes.corp.example', 'fd00:1::5').allowed).toBe(true);
    expect(internal.checkResolvedAddress('ghes.corp.example', '10.21.0.1').allowed).toBe(false);
    expect(internal.checkResolvedAddress('ghes.corp.example', '127.0.0.1').allowed).toBe(false);
  });
});

describe('egress policy: settings', () => {
  it('reads both variables, commas or spaces', () => {
    const fromEnv = egressPolicyFromEnv({
      ORBIT_EGRESS_ALLOWED_HOSTS: 'jenkins.corp.example:8080, *.sonar.example\n127.0.0.1:9000',
      ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: '10.0.0.0/8',
    });
    expect(fromEnv.allowedHosts).toEqual([
      'api.github.com',
      '*.ghe.com',
      '*.atlassian.net',
      'jenkins.corp.example:8080',
      '*.sonar.example',
      '127.0.0.1:9000',
    ]);
    expect(fromEnv.allowedPrivateNetworks).toEqual(['10.0.0.0/8']);
    expect(fromEnv.checkUrl('http://jenkins.corp.example:8080/').allowed).toBe(true);
    expect(fromEnv.checkUrl('https://code.sonar.example/').allowed).toBe(true);
  });

  it.each([
    ['127.0.0.1', /without a port/],
    ['[::1]', /without a port/],
    ['example.com:0', /valid port/],
    ['example.com:99999', /valid port/],
    ['exa mple.com', /valid host name/],
    ['*.com', /valid host pattern/],
    ['http://example.com', /valid/],
  ])('refuses the allowed-host entry %s', (entry, message) => {
    expect(() => createEgressPolicy({ allowedHosts: [entry] })).toThrow(EgressSettingError);
    expect(() => createEgressPolicy({ allowedHosts: [entry] })).toThrow(message);
  });

  it('refuses a private network that is not a CIDR', () => {
    expect(() => createEgressPolicy({ allowedPrivateNetworks: ['10.0.0.0/33'] })).toThrow(/not an IP network/);
    expect(() => createEgressPolicy({ allowedPrivateNetworks: ['intranet'] })).toThrow(/not an IP network/);
  });
});
