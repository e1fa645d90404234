import { describe, expect, it } from 'vitest';
import { preflight } from './preflight';

const TOKEN = { BACKSTAGE_SERVICE_TOKEN: 'a-long-enough-token' };
const POSTGRES = {
  POSTGRES_HOST: 'db',
  POSTGRES_USER: 'orbit',
  POSTGRES_PASSWORD: 'pw',
};

describe('preflight', () => {
  it('passes with a service token', () => {
    expect(preflight([], TOKEN)).toEqual([]);
  });

  it('explains how to set a missing service token', () => {
    const [problem, ...rest] = preflight([], {});
    expect(rest).toEqual([]);
    expect(problem).toContain('BACKSTAGE_SERVICE_TOKEN is not set');
    expect(problem).toContain('export BACKSTAGE_SERVICE_TOKEN=');
  });

  it('treats an empty token as missing', () => {
    expect(preflight([], { BACKSTAGE_SERVICE_TOKEN: '  ' })[0]).toContain('is not set');
  });

  it.each(['short', 'has white space'])('rejects the unusable token %j', token => {
    expect(preflight([], { BACKSTAGE_SERVICE_TOKEN: token })[0]).toContain('at least 8 characters with no whitespace');
  });

  it('requires PostgreSQL settings when the production config is passed', () => {
    const argv = ['--config', 'app-config.yaml', '--config', 'app-config.production.yaml'];
    expect(preflight(argv, TOKEN)).toEqual([
      expect.stringContaining('POSTGRES_HOST, POSTGRES_USER, POSTGRES_PASSWORD are not set'),
    ]);
    expect(preflight(argv, { ...TOKEN, ...POSTGRES })).toEqual([]);
  });

  it('requires PostgreSQL settings when BACKSTAGE_ENV selects production', () => {
    expect(preflight([], { ...TOKEN, BACKSTAGE_ENV: 'production', POSTGRES_HOST: 'db' })).toEqual([
      expect.stringContaining('POSTGRES_USER, POSTGRES_PASSWORD are not set'),
    ]);
  });

  it('ignores BACKSTAGE_ENV when explicit --config files are given', () => {
    expect(
      preflight(['--config', 'app-config.yaml'], {
        ...TOKEN,
        BACKSTAGE_ENV: 'production',
      }),
    ).toEqual([]);
  });

  it('refuses unusable egress settings, naming the entry', () => {
    expect(preflight([], { ...TOKEN, ORBIT_EGRESS_ALLOWED_HOSTS: '127.0.0.1' })).toEqual([
      expect.stringContaining('"127.0.0.1" is an IP address without a port'),
    ]);
    expect(preflight([], { ...TOKEN, ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: 'intranet' })).toEqual([
      expect.stringContaining(
        'ORBIT_EGRESS_ALLOWED_HOSTS / ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: "intranet" is not an IP network',
      ),
    ]);
    expect(
      preflight([], {
        ...TOKEN,
        ORBIT_EGRESS_ALLOWED_HOSTS: 'ghes.corp.example, 127.0.0.1:4010',
        ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: '10.20.0.0/16',
      }),
    ).toEqual([]);
  });

  it.each([
    ['ORBIT_STOCK_IDLE_SECONDS', '0'],
    ['ORBIT_STOCK_IDLE_SECONDS', '15m'],
    ['ORBIT_STOCK_MAX_PROCESSES', '-1'],
    ['ORBIT_STOCK_MAX_PROCESSES', '2.5'],
  ])('refuses %s=%j, saying what it accepts', (name, value) => {
    expect(preflight([], { ...TOKEN, [name]: value })).toEqual([
      expect.stringMatching(
        new RegExp(`^${name} must be a whole number of \\w+ from 1 to \\d+ \\(got "${value.replace('.', '\\.')}"\\)`),
      ),
    ]);
  });

  it('accepts stock process settings in range', () => {
    expect(preflight([], { ...TOKEN, ORBIT_STOCK_IDLE_SECONDS: '60', ORBIT_STOCK_MAX_PROCESSES: '4' })).toEqual([]);
  });
});
