import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SONARQUBE_SEEDS, startSonarQubeSimulator, type SonarQubeSimulator } from '@orbit-idp/sonarqube-simulator';
import { sonarqubeDefinition } from './definitions';
import { StockCapacityError, StockSupervisor, type StockStoppedEvent } from './supervisor';

// Process operations of the supervisor with real children: idle stop, the process cap,
// stopping a workspace's process on request, prewarming. Every wait is on an event
// (the supervisor's `stopped`) or on a call's own answer, never a timed pause.

const acmeSeed = SONARQUBE_SEEDS.acme!;
const globexSeed = SONARQUBE_SEEDS.globex!;
let acme: SonarQubeSimulator;
let globex: SonarQubeSimulator;

/** A SonarQube that holds every call until released: keeps a child's call in flight as long as a test needs. */
let holding: { url: string; server: Server; held: ServerResponse[]; released: boolean; release(): void };

beforeAll(async () => {
  [acme, globex] = await Promise.all([startSonarQubeSimulator(acmeSeed), startSonarQubeSimulator(globexSeed)]);
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    if (holding.released) res.writeHead(503).end();
    else held.push(res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  holding = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    held,
    released: false,
    release() {
      this.released = true;
      for (const res of held.splice(0)) res.writeHead(503).end();
    },
  };
  process.env.ORBIT_EGRESS_ALLOWED_HOSTS = [acme.url, globex.url, holding.url].map(url => new URL(url).host).join(',');
});

const supervisors: StockSupervisor[] = [];
const supervisorWith = (options: ConstructorParameters<typeof StockSupervisor>[0]) => {
  const supervisor = new StockSupervisor(options);
  supervisors.push(supervisor);
  return supervisor;
};

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map(supervisor => supervisor.close()));
});

afterAll(async () => {
  await new Promise(resolve => holding?.server.close(resolve));
  await Promise.all([acme?.close(), globex?.close()]);
  delete process.env.ORBIT_EGRESS_ALLOWED_HOSTS;
});

const settingsOf = (url: string, token: string) => ({ config: { base_url: url }, secrets: { api_key: token } });
const acmeSettings = () => settingsOf(acme.url, acmeSeed.token);
const SUMMARY = '/api/sonarqube/entities/component/default/checkout/summary';

async function summaryOf(supervisor: StockSupervisor, workspaceId: string, settings = acmeSettings()) {
  const { instance } = await supervisor.instanceFor(sonarqubeDefinition, workspaceId, settings);
  const response = await supervisor.request(instance, { method: 'GET', path: SUMMARY });
  let text = '';
  for await (const chunk of response) text += chunk;
  return { pid: instance.child.pid, body: JSON.parse(text) as { instanceUrl: string } };
}

/** Starts a call that the holding upstream keeps in flight; resolves once the child has sent it upstream. */
async function callHeldIn(supervisor: StockSupervisor, workspaceId: string) {
  const { instance } = await supervisor.instanceFor(
    sonarqubeDefinition,
    workspaceId,
    settingsOf(holding.url, 'squ_held'),
  );
  const heldBefore = holding.held.length;
  // Resolves once the answer has ended, i.e. once the supervisor no longer counts the call in flight.
  const answered = supervisor
    .request(instance, { method: 'GET', path: SUMMARY })
    .then(response => new Promise(resolve => response.resume().once('end', resolve)));
  const upstreamSeesIt = new Promise<void>(resolve => {
    const check = () =>
      holding.held.length > heldBefore ? resolve() : holding.server.once('request', () => setImmediate(check));
    check();
  });
  await upstreamSeesIt;
  return { instance, answered };
}

/** The next `stopped` event for a workspace. */
const stoppedIn = (supervisor: StockSupervisor, workspaceId: string) =>
  new Promise<StockStoppedEvent>(resolve => {
    const listener = (event: StockStoppedEvent) => {
      if (event.workspaceId !== workspaceId) return;
      supervisor.off('stopped', listener);
      resolve(event);
    };
    supervisor.on('stopped', listener);
  });

describe('StockSupervisor operations', () => {
  it('stops a process idle for idleStopMs, not one with a call in flight, and starts it again on the next call', async () => {
    holding.released = false;
    const supervisor = supervisorWith({ idleStopMs: 1_500 });
    const busy = await callHeldIn(supervisor, 'ws-busy');
    const first = await summaryOf(supervisor, 'ws-idle'); // used after ws-busy's call began
    expect(first.body.instanceUrl).toBe(acme.url);

    const stopped = await stoppedIn(supervisor, 'ws-idle');
    expect(stopped).toMatchObject({ pluginId: 'sonarqube', reason: 'idle', pid: first.pid });
    expect(supervisor.healthOf('sonarqube', 'ws-idle')).toEqual({
      healthy: true,
      message: 'not running (starts with the next call)',
    });
    // ws-busy's call has been in flight longer than the idle time: its process still serves.
    expect(busy.instance.child.exitCode).toBeNull();
    expect(supervisor.processCount).toBe(1);

    const again = await summaryOf(supervisor, 'ws-idle');
    expect(again.pid).not.toBe(first.pid);
    expect(again.body.instanceUrl).toBe(acme.url);
    holding.release();
    await busy.answered;
    expect((await stoppedIn(supervisor, 'ws-busy')).reason).toBe('idle'); // idle once its call is answered
  }, 90_000);

  it('at the cap stops the least recently used idle process, and refuses with a clear message when all are busy', async () => {
    holding.released = false;
    const supervisor = supervisorWith({ maxProcesses: 2, idleStopMs: 600_000 });
    const a = await callHeldIn(supervisor, 'ws-cap-a');
    const b = await callHeldIn(supervisor, 'ws-cap-b');

    const refused = await supervisor.instanceFor(sonarqubeDefinition, 'ws-cap-c', acmeSettings()).catch(error => error);
    expect(refused).toBeInstanceOf(StockCapacityError);
    expect((refused as Error).message).toBe(
      'the sidecar already runs its maximum of 2 stock plugin processes and all are busy; ' +
        'try again in a few seconds (operators: raise ORBIT_STOCK_MAX_PROCESSES)',
    );
    expect(supervisor.processCount).toBe(2);

    holding.release();
    await Promise.all([a.answered, b.answered]);
    const evicted = stoppedIn(supervisor, 'ws-cap-a');
    const c = await summaryOf(supervisor, 'ws-cap-c');
    expect(c.body.instanceUrl).toBe(acme.url);
    expect(await evicted).toMatchObject({ reason: 'evicted', pid: a.instance.child.pid });
    expect(b.instance.child.exitCode).toBeNull();
    expect(supervisor.processCount).toBe(2);
  }, 90_000);

  it("stops a workspace's process on request (DisablePlugin), leaving other workspaces' running", async () => {
    const supervisor = supervisorWith({});
    const kept = await summaryOf(supervisor, 'ws-keep');
    const gone = await summaryOf(supervisor, 'ws-disabled');
    const stopped = stoppedIn(supervisor, 'ws-disabled');
    expect(supervisor.stopInstances('sonarqube', 'ws-disabled')).toBe(1);
    expect(await stopped).toMatchObject({ reason: 'stopped-by-request', pid: gone.pid });
    expect(supervisor.stopInstances('sonarqube', 'ws-disabled')).toBe(0);
    expect(supervisor.processCount).toBe(1);
    expect((await summaryOf(supervisor, 'ws-keep')).pid).toBe(kept.pid);
  }, 90_000);

  it('prewarms: a new workspace, then new settings blue/green, so calls never wait for a start', async () => {
    const supervisor = supervisorWith({});
    supervisor.prewarm(sonarqubeDefinition, 'ws-warm', acmeSettings());
    expect(supervisor.healthOf('sonarqube', 'ws-warm').message).toBe('starting');
    const first = await summaryOf(supervisor, 'ws-warm');
    expect(supervisor.processCount).toBe(1); // the call used the prewarmed process

    const changed = settingsOf(globex.url, globexSeed.token);
    const replaced = stoppedIn(supervisor, 'ws-warm');
    supervisor.prewarm(sonarqubeDefinition, 'ws-warm', changed);
    expect(supervisor.processCount).toBe(2); // green starts next to blue
    expect((await replaced).reason).toBe('replaced'); // green took over without any call
    const { instance, stale } = await supervisor.instanceFor(sonarqubeDefinition, 'ws-warm', changed);
    expect(stale).toBe(false);
    expect(instance.child.pid).not.toBe(first.pid);
    expect((await summaryOf(supervisor, 'ws-warm', changed)).body.instanceUrl).toBe(globex.url);
  }, 90_000);

  it('a process stopped while starting rejects its waiters instead of leaving them hanging', async () => {
    const supervisor = supervisorWith({});
    const waiting = supervisor.instanceFor(sonarqubeDefinition, 'ws-gone', acmeSettings());
    supervisor.stopInstances('sonarqube', 'ws-gone');
    await expect(waiting).rejects.toThrow('the sonarqube process of workspace ws-gone was stopped before it was ready');
  }, 60_000);
});
