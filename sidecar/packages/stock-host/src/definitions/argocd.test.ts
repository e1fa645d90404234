import { describe, expect, it } from 'vitest';
import { RouteRefusal, matchRoute } from '../routes';
import { ARGOCD_INSTANCE, argocdDefinition } from './argocd';

const settings = (config: Record<string, string>, secrets: Record<string, string>) => ({ config, secrets });
const refusal = (path: string, search = '') => {
  try {
    matchRoute(argocdDefinition, 'GET', path, search);
  } catch (error) {
    if (error instanceof RouteRefusal) return error.status;
    throw error;
  }
  return 'allowed';
};

describe('the Argo CD definition', () => {
  it("allows the frontend's routes for the forced instance, with their query parameters", () => {
    const app = `/argoInstance/${ARGOCD_INSTANCE}/applications`;
    expect(refusal('/check')).toBe('allowed');
    expect(refusal(`${app}/checkout`, 'project=default&appNamespace=argocd')).toBe('allowed');
    expect(refusal(`${app}/selector/backstage-name=checkout`, 'selector=backstage-name%3Dcheckout')).toBe('allowed');
    expect(refusal(`${app}/selector/team!=finance,tier`)).toBe('allowed');
    expect(refusal(`${app}/name/checkout/revisions/2f1a9c0/metadata`, 'sourceIndex=1')).toBe('allowed');
  });

  it('refuses other instances, the all-instances search, traversal and unknown or malformed parameters', () => {
    const app = `/argoInstance/${ARGOCD_INSTANCE}/applications`;
    for (const path of [
      '/find/name/checkout',
      '/argoInstance/other/applications/checkout',
      '/argoInstance/orbit%2F..%2Fother/applications/checkout',
      `${app}/check%2Fout`,
      `${app}/name/checkout/revisions/../metadata`,
      `${app}/name/checkout/revisions/%2e%2e/metadata`,
      `${app}/selector/a=b%26c`,
      '/.backstage/actions/v1/actions',
    ]) {
      expect(refusal(path), path).toBe(404);
    }
    expect(refusal(`${app}/checkout`, 'instanceName=other')).toBe(400);
    expect(refusal(`${app}/checkout`, 'project=a&project=b')).toBe(400);
    expect(refusal(`${app}/checkout`, 'appNamespace=..')).toBe(400);
    expect(refusal(`${app}/name/checkout/revisions/abc/metadata`, 'sourceIndex=x')).toBe(400);
  });

  it('configures exactly one instance, the forced one, from the settings', () => {
    expect(argocdDefinition.configFor(settings({ base_url: 'https://argocd.example.com' }, { token: 't0k' }))).toEqual({
      argocd: {
        appLocatorMethods: [
          { type: 'config', instances: [{ name: ARGOCD_INSTANCE, url: 'https://argocd.example.com', token: 't0k' }] },
        ],
      },
    });
  });

  it('refuses settings without a token or an http(s) URL, with a message naming what to set and no secret', () => {
    expect(() => argocdDefinition.configFor(settings({ base_url: 'https://argocd.example.com' }, {}))).toThrow(
      'missing Argo CD API token: set the secret "token" of the argocd plugin',
    );
    expect(() => argocdDefinition.configFor(settings({ base_url: 'file:///etc' }, { token: 'secret-value' }))).toThrow(
      /^invalid Argo CD settings: base_url must be an http\(s\) URL$/,
    );
  });
});
