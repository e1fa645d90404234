/**
 * Every route the simulator answers, called over HTTP: Applications checked
 * against Argo CD's Application CRD schema (@kubernetes-models/argo-cd, generated
 * from Argo CD's published CRD), the list and revision metadata against the
 * fields of Argo CD's swagger types v1alpha1ApplicationList and
 * v1alpha1RevisionMetadata, errors in grpc-gateway's runtimeError shape.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGOCD_SEEDS, type ArgoCdSimulator, startArgoCdSimulator } from './index';

const seed = ARGOCD_SEEDS.acme!;
let sim: ArgoCdSimulator;

const get = async (path: string, token: string | null = seed.token) => {
  const response = await fetch(`${sim.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** Throws with the CRD schema's complaint if the object is not an Application. */
const validApplication = (object: unknown) => new Application(object as never).validate();

beforeAll(async () => {
  sim = await startArgoCdSimulator(seed);
});
afterAll(() => sim.close());

describe('Argo CD simulator conformance', () => {
  it('GET api/v1/applications/<name> answers an Application the CRD schema accepts', async () => {
    for (const { name } of seed.applications) {
      const { status, body } = await get(`/api/v1/applications/${name}`);
      expect(status).toBe(200);
      expect(() => validApplication(body)).not.toThrow();
      expect(body).toMatchObject({ metadata: { name, namespace: 'argocd' } });
    }
  });

  it('the schema check can fail: a history id that is not an integer is refused', async () => {
    const { body } = await get('/api/v1/applications/checkout');
    const broken = structuredClone(body) as { status: { history: { id: unknown }[] } };
    broken.status.history[0]!.id = 'first';
    expect(() => validApplication(broken)).toThrow(/history\/0\/id must be integer/);
  });

  it('GET api/v1/applications answers an ApplicationList filtered by selector, name and project', async () => {
    const all = await get('/api/v1/applications');
    expect(all.status).toBe(200);
    expect(Object.keys(all.body).sort()).toEqual(['items', 'metadata']);
    const items = all.body.items as { metadata: { name: string } }[];
    for (const item of items) expect(() => validApplication(item)).not.toThrow();
    expect(items.map(item => item.metadata.name)).toEqual(['checkout', 'payments']);

    const names = async (query: string) =>
      ((await get(`/api/v1/applications?${query}`)).body.items as { metadata: { name: string } }[]).map(
        item => item.metadata.name,
      );
    expect(await names('selector=backstage-name%3Dpayments')).toEqual(['payments']);
    expect(await names('selector=team!%3Dshop')).toEqual(['payments']);
    expect(await names('name=checkout')).toEqual(['checkout']);
    expect(await names('project=finance')).toEqual(['payments']);
    expect(await names('appNamespace=elsewhere')).toEqual([]);
  });

  it('GET .../revisions/<revision>/metadata answers RevisionMetadata (author, date, message)', async () => {
    const revision = seed.applications[0]!.history[0]!.revision;
    const { status, body } = await get(`/api/v1/applications/checkout/revisions/${revision}/metadata`);
    expect(status).toBe(200);
    expect(body).toEqual({
      author: 'Ada Lovelace <ada@acme.example>',
      date: '2026-11-30T10:00:00Z',
      message: 'checkout: raise the cart limit',
    });
    expect((await get('/api/v1/applications/checkout/revisions/0000/metadata')).status).toBe(404);
  });

  it('answers errors as Argo CD does: 401 without or with a wrong token, 404 for an unknown application', async () => {
    expect(await get('/api/v1/applications/checkout', null)).toEqual({
      status: 401,
      body: { error: 'no session information', code: 16, message: 'no session information' },
    });
    expect((await get('/api/v1/applications/checkout', 'wrong')).status).toBe(401);
    expect(await get('/api/v1/applications/nope')).toEqual({
      status: 404,
      body: {
        error: 'applications.argoproj.io "nope" not found',
        code: 5,
        message: 'applications.argoproj.io "nope" not found',
      },
    });
    const log = sim.requests();
    expect(log.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/applications/nope', status: 404 });
  });
});
