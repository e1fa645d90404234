/**
 * The Argo CD plugin's own process, called directly with the supervisor's
 * token (as if the sidecar front were bypassed): its root-router gate alone
 * keeps out the all-instances search, other instances, unknown query
 * parameters and the plugin's actions, before the plugin calls Argo CD.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGOCD_SEEDS, startArgoCdSimulator, type ArgoCdSimulator } from '@orbit-idp/argocd-simulator';
import { argocdDefinition } from './definitions';
import { StockSupervisor } from './supervisor';

const seed = ARGOCD_SEEDS.acme!;
let argocd: ArgoCdSimulator;
let supervisor: StockSupervisor;
let instance: Awaited<ReturnType<StockSupervisor['instanceFor']>>['instance'];
let startMs = 0;

beforeAll(async () => {
  argocd = await startArgoCdSimulator(seed);
  process.env.ORBIT_EGRESS_ALLOWED_HOSTS = new URL(argocd.url).host;
  supervisor = new StockSupervisor();
  const started = Date.now();
  ({ instance } = await supervisor.instanceFor(argocdDefinition, 'ws-argo', {
    config: { base_url: argocd.url },
    secrets: { token: seed.token },
  }));
  startMs = Date.now() - started;
});

afterAll(async () => {
  await supervisor?.close();
  await argocd?.close();
  delete process.env.ORBIT_EGRESS_ALLOWED_HOSTS;
});

async function child(method: string, path: string, body?: string) {
  const response = await supervisor.request(instance, { method, path: `/api/backstage-community-argocd${path}`, body });
  let text = '';
  for await (const chunk of response) text += chunk;
  return { status: response.statusCode, text };
}

describe('the Argo CD plugin process', () => {
  it('answers the allowed routes from the configured Argo CD', async () => {
    const app = await child('GET', '/argoInstance/orbit/applications/checkout?project=default');
    expect(app.status).toBe(200);
    expect(JSON.parse(app.text)).toMatchObject({
      metadata: { name: 'checkout', instance: { name: 'orbit', url: argocd.url } },
      status: { health: { status: 'Healthy' } },
    });
    expect(argocd.requests().at(-1)).toMatchObject({
      path: '/api/v1/applications/checkout',
      query: '?project=default',
    });
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${instance.child.pid}/status`, 'utf8'))?.[1]) / 1024;
    console.info(`argocd child: ready in ${startMs} ms, RSS ${rss.toFixed(0)} MiB`);
  });

  it('refuses everything else at its own gate, with no call to Argo CD', async () => {
    const before = argocd.requests().length;
    const refused = await Promise.all([
      child('GET', '/find/name/checkout'),
      child('GET', '/find/name/checkout?expand=applications'),
      child('GET', '/argoInstance/other/applications/checkout'),
      child('GET', '/argoInstance/orbit/applications/checkout?instanceName=other'),
      child('GET', '/argoInstance/orbit/applications/checkout?project=a&project=b'),
      child('POST', '/argoInstance/orbit/applications/checkout', '{"instanceName":"other"}'),
      supervisor
        .request(instance, { method: 'GET', path: '/.backstage/actions/v1/actions' })
        .then(response => ({ status: response.statusCode, text: '' })),
      supervisor
        .request(instance, {
          method: 'POST',
          path: '/api/backstage-community-argocd/.backstage/actions/v1/actions/backstage-community-argocd:argocd:find-applications/invoke',
          body: '{"input":{"appName":"checkout"}}',
        })
        .then(response => ({ status: response.statusCode, text: '' })),
    ]);
    expect(refused.map(answer => answer.status)).toEqual([404, 404, 404, 400, 400, 404, 404, 404]);
    expect(argocd.requests().length).toBe(before);
  });
});
