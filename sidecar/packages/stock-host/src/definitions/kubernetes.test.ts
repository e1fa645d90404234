import { describe, expect, it } from 'vitest';
import { kubernetesDefinition } from './kubernetes';

// A self-signed CA certificate (public; no key is kept anywhere).
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBhjCCASugAwIBAgIUZPaiD5mp7kFrH9/zmuzaYb4S0ygwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNb3JiaXQtdGVzdC1jYTAeFw0yNjEyMDIxNzU0MjJaFw0zNjEx
MjkxNzU0MjJaMBgxFjAUBgNVBAMMDW9yYml0LXRlc3QtY2EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQFgRX8tp2jmhlJs4bxTIzHpSlu7CB3CeQtQmoi3e6PqzKc
aYt7QScxMSjY+FHaSttV+G47Vc1bJDw0tupQd2YJo1MwUTAdBgNVHQ4EFgQUcC0h
BGsjkwV9+vWqqfGjLBS+4HkwHwYDVR0jBBgwFoAUcC0hBGsjkwV9+vWqqfGjLBS+
4HkwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAsLFwp+QwOh+6
5CICeteFrAHcCzCsAV6zYrXurlRYuU4CIQC6XRPDpYbMecFlPJlT30OoYPwhib1E
JmoGKYVuj9mTUQ==
-----END CERTIFICATE-----
`;

const route = (method: string, path: string) =>
  kubernetesDefinition.routes.find(candidate => candidate.method === method && candidate.path.test(path));
const bodyOf = (path: string, body: unknown) => route('POST', path)!.body!(body, path);
const settings = (
  config: Record<string, string>,
  secrets: Record<string, string> = { service_account_token: 'sa-token' },
) => ({
  config,
  secrets,
});
const clusterOf = (config: Record<string, unknown>) =>
  (config.kubernetes as { clusterLocatorMethods: { clusters: Record<string, unknown>[] }[] }).clusterLocatorMethods[0]!
    .clusters[0]!;

describe('the kubernetes definition', () => {
  it('allows the workloads routes and the cluster list, and nothing of the proxy or custom resources', () => {
    expect(route('POST', '/services/checkout')).toBeDefined();
    expect(route('POST', '/resources/workloads/query')).toBeDefined();
    expect(route('GET', '/clusters')).toBeDefined();
    for (const [method, path] of [
      ['GET', '/proxy/api/v1/pods'],
      ['POST', '/proxy/api/v1/namespaces/default/pods'],
      ['POST', '/resources/custom/query'],
      ['POST', '/services/a/b'],
      ['GET', '/services/checkout'],
    ]) {
      expect(route(method!, path!), `${method} ${path}`).toBeUndefined();
    }
  });

  it('forwards only component:default/<name> with empty auth, from the path or the entity ref', () => {
    const forced = {
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'checkout', namespace: 'default' },
      },
      auth: {},
    };
    expect(bodyOf('/services/checkout', {})).toEqual(forced);
    const full = {
      kind: 'Component',
      metadata: { name: 'checkout', annotations: { 'backstage.io/kubernetes-cluster': 'x' } },
      spec: {},
    };
    expect(bodyOf('/services/checkout', { entity: full, auth: {} })).toEqual(forced);
    expect(bodyOf('/resources/workloads/query', { entityRef: 'Component:checkout' })).toEqual({
      entityRef: 'component:default/checkout',
      auth: {},
    });
  });

  it.each([
    ['/services/checkout', { entity: { kind: 'Component', metadata: { name: 'payments' } } }, 'the name in the path'],
    [
      '/services/checkout',
      { entity: { kind: 'Component', metadata: { name: 'checkout', namespace: 'ops' } } },
      'default',
    ],
    ['/services/checkout', { entity: { kind: 'Group', metadata: { name: 'checkout' } } }, 'Component'],
    ['/services/checkout', { auth: { serviceAccount: 'x' } }, 'auth must be empty'],
    ['/services/checkout', { cluster: 'other' }, 'unknown field(s) cluster'],
    ['/services/checkout', [], 'a JSON object'],
    ['/resources/workloads/query', { entityRef: 'component:ops/checkout' }, 'component:default/<name>'],
    ['/resources/workloads/query', { entityRef: ['component:default/checkout'] }, 'component:default/<name>'],
  ])('refuses %s with %j', (path, body, reason) => {
    expect(() => bodyOf(path, body)).toThrow(reason);
  });

  it('makes one cluster named by the definition, always verifying TLS', () => {
    const cluster = clusterOf(kubernetesDefinition.configFor(settings({ cluster_url: 'https://k8s.example.com' })));
    expect(cluster).toEqual({
      name: 'workspace',
      url: 'https://k8s.example.com',
      authProvider: 'serviceAccount',
      serviceAccountToken: 'sa-token',
      skipTLSVerify: false,
    });
  });

  it('takes ca_data as PEM or as base64 of PEM and gives the plugin base64; anything else stops the start', () => {
    const base64 = Buffer.from(CA_PEM).toString('base64');
    const withCa = (ca: string) =>
      clusterOf(kubernetesDefinition.configFor(settings({ cluster_url: 'https://k', ca_data: ca })));
    expect(withCa(CA_PEM).caData).toBe(base64);
    expect(withCa(base64).caData).toBe(base64);
    expect(() => withCa('-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----')).toThrow(
      'ca_data is not a PEM certificate',
    );
  });

  it("refuses to start without the token (the plugin would fall back to the pod's own service account)", () => {
    expect(() => kubernetesDefinition.configFor(settings({ cluster_url: 'https://k' }, {}))).toThrow(
      'needs the service_account_token secret',
    );
  });
});
