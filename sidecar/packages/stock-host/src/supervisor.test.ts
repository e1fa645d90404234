import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SONARQUBE_SEEDS, startSonarQubeSimulator, type SonarQubeSimulator } from '@orbit-idp/sonarqube-simulator';
import { sonarqubeDefinition } from './definitions';
import { StockSupervisor } from './supervisor';

const acmeSeed = SONARQUBE_SEEDS.acme!;
const globexSeed = SONARQUBE_SEEDS.globex!;
let acme: SonarQubeSimulator;
let globex: SonarQubeSimulator;
let supervisor: StockSupervisor;
const childLog: string[] = [];

beforeAll(async () => {
  [acme, globex] = await Promise.all([startSonarQubeSimulator(acmeSeed), startSonarQubeSimulator(globexSeed)]);
  process.env.ORBIT_EGRESS_ALLOWED_HOSTS = [acme.url, globex.url].map(url => new URL(url).host).join(',');
  supervisor = new StockSupervisor({ onChildLog: line => childLog.push(line) });
});

afterAll(async () => {
  await supervisor?.close();
  await Promise.all([acme?.close(), globex?.close()]);
  delete process.env.ORBIT_EGRESS_ALLOWED_HOSTS;
});

const settingsOf = (server: SonarQubeSimulator, token: string) => ({
  config: { base_url: server.url },
  secrets: { api_key: token },
});

async function summary(instance: Parameters<StockSupervisor['request']>[0]) {
  const response = await supervisor.request(instance, {
    method: 'GET',
    path: '/api/sonarqube/entities/component/default/checkout/summary',
  });
  let text = '';
  for await (const chunk of response) text += chunk;
  return { status: response.statusCode, body: JSON.parse(text) as { instanceUrl: string } };
}

const exited = (child: {
  exitCode: number | null;
  signalCode: string | null;
  once(event: 'exit', listener: () => void): unknown;
}) =>
  new Promise<void>(resolve =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

describe('StockSupervisor', () => {
  it('starts a process per workspace whose command line and environment hold no secret', async () => {
    const { instance, stale } = await supervisor.instanceFor(
      sonarqubeDefinition,
      'ws-1',
      settingsOf(acme, acmeSeed.token),
    );
    expect(stale).toBe(false);
    expect((await summary(instance)).body.instanceUrl).toBe(acme.url);
    const pid = instance.child.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(acmeSeed.token);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    expect(environ).not.toContain(acmeSeed.token);
    expect(environ).not.toContain('BACKSTAGE_SERVICE_TOKEN');
    expect(childLog.join('\n')).not.toContain(acmeSeed.token);
  }, 60_000);

  it('keeps answering from the old process while the new one starts, then stops the old one', async () => {
    const first = await supervisor.instanceFor(sonarqubeDefinition, 'ws-1', settingsOf(acme, acmeSeed.token));
    const changed = settingsOf(globex, globexSeed.token);
    const during = await supervisor.instanceFor(sonarqubeDefinition, 'ws-1', changed);
    expect(during).toMatchObject({ instance: first.instance, stale: true });
    expect((await summary(during.instance)).body.instanceUrl).toBe(acme.url);

    await exited(first.instance.child); // the old process stops once the new one serves
    const after = await supervisor.instanceFor(sonarqubeDefinition, 'ws-1', changed);
    expect(after.stale).toBe(false);
    expect(after.instance).not.toBe(first.instance);
    expect((await summary(after.instance)).body.instanceUrl).toBe(globex.url);
    expect(supervisor.healthOf('sonarqube', 'ws-1')).toEqual({ healthy: true, message: 'ready' });
  }, 90_000);

  it('replaces a process that died after it was ready', async () => {
    const settings = settingsOf(acme, acmeSeed.token);
    const { instance: crashed } = await supervisor.instanceFor(sonarqubeDefinition, 'ws-3', settings);
    crashed.child.kill('SIGKILL');
    await exited(crashed.child);
    const { instance: replacement } = await supervisor.instanceFor(sonarqubeDefinition, 'ws-3', settings);
    expect(replacement).not.toBe(crashed);
    expect((await summary(replacement)).body.instanceUrl).toBe(acme.url);
  }, 90_000);

  it('reports a start failure for that workspace only, with the plugin reason and no secret', async () => {
    await expect(
      supervisor.instanceFor(sonarqubeDefinition, 'ws-2', {
        config: {},
        secrets: { api_key: 'squ_not_in_any_message_123' },
      }),
    ).rejects.toThrow(/ws-2 failed to start: .*All \(or none\) of baseUrl and apiKey must be provided/);
    const health = supervisor.healthOf('sonarqube', 'ws-2');
    expect(health.healthy).toBe(false);
    expect(health.message).not.toContain('squ_not_in_any_message_123');
    expect(childLog.join('\n')).not.toContain('squ_not_in_any_message_123');
    expect(supervisor.healthOf('sonarqube', 'ws-1').healthy).toBe(true);
  }, 60_000);
});
