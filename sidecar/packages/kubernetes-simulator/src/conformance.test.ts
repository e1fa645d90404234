/**
 * The simulator's lists checked against Kubernetes' own OpenAPI description,
 * as `@kubernetes/client-node` 1.4.0 carries it: models generated from the
 * Kubernetes v1.34 OpenAPI spec, each with its attribute map (name, JSON
 * name, type) and, in its declaration file, which attributes are required.
 * Every field the simulator answers must be one the API defines, with the
 * type it defines, and every required field must be there.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBERNETES_SEEDS, RESOURCE_TYPES, startKubernetesSimulator, type KubernetesSimulator } from './index';

const MODELS_DIR = join(dirname(fileURLToPath(import.meta.resolve('@kubernetes/client-node'))), 'gen', 'models');

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}

const modelOf = (type: string) =>
  (k8s as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>)[type]?.attributeTypeMap;

const requiredCache = new Map<string, string[]>();
/** Attributes declared without `?` in the generated declaration file. */
function requiredOf(type: string): string[] {
  let required = requiredCache.get(type);
  if (!required) {
    const declaration = readFileSync(join(MODELS_DIR, `${type}.d.ts`), 'utf8');
    required = [...declaration.matchAll(/^ {4}'([A-Za-z0-9_$]+)': /gm)].map(match => match[1]!);
    requiredCache.set(type, required);
  }
  return required;
}

/** What is wrong with `value` as an instance of the OpenAPI type `type` (path-prefixed messages). */
function problemsOf(value: unknown, type: string, path: string): string[] {
  const wrong = (expected: string) => [`${path}: expected ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}`];
  switch (type) {
    case 'string':
      return typeof value === 'string' ? [] : wrong('a string');
    case 'number':
      return typeof value === 'number' ? [] : wrong('a number');
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong('a boolean');
    case 'Date':
      return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)
        ? []
        : wrong('an RFC 3339 time');
    case 'IntOrString':
      return typeof value === 'string' || Number.isInteger(value) ? [] : wrong('an int or a string');
    case 'any':
    case 'object':
      return [];
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return wrong('an array');
    return value.flatMap((item, index) => problemsOf(item, array[1]!, `${path}[${index}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong('a map');
    return Object.entries(value).flatMap(([key, item]) => problemsOf(item, map[1]!, `${path}.${key}`));
  }
  const attributes = modelOf(type);
  if (!attributes) return [`${path}: no model ${type} in the OpenAPI description`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong(`an object (${type})`);
  const byJsonName = new Map(attributes.map(attribute => [attribute.baseName, attribute]));
  const problems = Object.entries(value).flatMap(([key, item]) => {
    const attribute = byJsonName.get(key);
    return attribute ? problemsOf(item, attribute.type, `${path}.${key}`) : [`${path}.${key}: not a field of ${type}`];
  });
  for (const name of requiredOf(type)) {
    const attribute = attributes.find(candidate => candidate.name === name)!;
    if ((value as Record<string, unknown>)[attribute.baseName] === undefined) {
      problems.push(`${path}.${attribute.baseName}: required by ${type}`);
    }
  }
  return problems;
}

let simulator: KubernetesSimulator;
beforeAll(async () => {
  simulator = await startKubernetesSimulator(KUBERNETES_SEEDS.acme!);
});
afterAll(() => simulator.close());

const get = async (path: string, token = KUBERNETES_SEEDS.acme!.token) => {
  const response = await fetch(`${simulator.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const listPath = (group: string, version: string, plural: string) =>
  group ? `/apis/${group}/${version}/${plural}` : `/api/${version}/${plural}`;

describe('lists conform to the Kubernetes OpenAPI description (client-node 1.4.0 models, Kubernetes v1.34)', () => {
  const typed = RESOURCE_TYPES.filter(type => type.group !== 'metrics.k8s.io');
  it.each(typed.map(type => [`${type.kind}List`, type] as const))('%s', async (_name, type) => {
    const { status, body } = await get(listPath(type.group, type.version, type.plural));
    expect(status).toBe(200);
    expect([body.kind, body.apiVersion]).toEqual([
      `${type.kind}List`,
      type.group ? `${type.group}/${type.version}` : 'v1',
    ]);
    const model = `V${type.version.replace(/^v/, '').replace(/beta.*$/, '')}${type.kind}List`;
    expect(problemsOf(body, model, type.kind)).toEqual([]);
  });

  it('the seed has objects of every workload type the plugin shows', async () => {
    for (const plural of ['pods', 'services']) expect((await get(`/api/v1/${plural}`)).body.items).not.toEqual([]);
    for (const path of [
      '/apis/apps/v1/deployments',
      '/apis/apps/v1/replicasets',
      '/apis/autoscaling/v2/horizontalpodautoscalers',
    ]) {
      expect((await get(path)).body.items).not.toEqual([]);
    }
  });
});

describe('the API server behaviour the plugin relies on', () => {
  it('filters by label selector and namespace', async () => {
    const pods = await get('/api/v1/namespaces/shop/pods?labelSelector=backstage.io%2Fkubernetes-id%3Dcheckout');
    const items = pods.body.items as { metadata: { namespace: string; labels: Record<string, string> } }[];
    expect(items).toHaveLength(3);
    expect(items.every(pod => pod.metadata.namespace === 'shop' && pod.metadata.labels.app === 'checkout')).toBe(true);
    expect((await get('/api/v1/namespaces/payments/pods?labelSelector=app%3Dcheckout')).body.items).toEqual([]);
    expect((await get('/api/v1/pods?labelSelector=app!%3Dcheckout')).body.items).toHaveLength(2);
    expect((await get('/api/v1/pods?labelSelector=%3D%3D')).status).toBe(400);
  });

  it('answers pod metrics as metrics-server does (PodMetricsList of metrics.k8s.io/v1beta1)', async () => {
    const { body } = await get('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods');
    expect([body.kind, body.apiVersion]).toEqual(['PodMetricsList', 'metrics.k8s.io/v1beta1']);
    const [first] = body.items as k8s.PodMetric[];
    expect(first?.containers[0]).toEqual({ name: 'checkout', usage: { cpu: '37m', memory: '91Mi' } });
    expect(typeof first?.window).toBe('string');
  });

  it('refuses a missing or wrong token and unknown resources with a Status object', async () => {
    const unauthorized = await get('/api/v1/pods', 'wrong');
    expect(unauthorized.status).toBe(401);
    expect(problemsOf(unauthorized.body, 'V1Status', 'Status')).toEqual([]);
    expect(unauthorized.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const secrets = await get('/api/v1/secrets');
    expect([secrets.status, secrets.body.reason]).toEqual([404, 'NotFound']);
    expect(problemsOf(secrets.body, 'V1Status', 'Status')).toEqual([]);
    expect(simulator.requests().at(-1)).toMatchObject({ path: '/api/v1/secrets', status: 404 });
  });
});
