import { describe, expect, it } from 'vitest';
import { RouteRefusal, matchRoute, pluginPathOf } from '../routes';
import { JOBS_SETTING, jenkinsDefinition, jobOf } from './jenkins';

const settings = (jobs?: string) => ({
  config: { base_url: 'https://jenkins.example.com', username: 'orbit', ...(jobs === undefined ? {} : { jobs }) },
  secrets: { api_key: 'k' },
});
const ENTITY = '/v1/entity/default/component';

/** The path the plugin receives, or the refusal's status. */
function routed(method: string, path: string, jobs?: string): string | number {
  try {
    return pluginPathOf(jenkinsDefinition, matchRoute(jenkinsDefinition, method, path, ''), settings(jobs));
  } catch (error) {
    if (error instanceof RouteRefusal) return error.status;
    throw error;
  }
}

describe('the Jenkins definition', () => {
  it("maps an entity to the jobs setting's job, or to the top-level job of its name", () => {
    const mapped = settings('ledger=platform/ledger, web=teams/shop/web');
    expect(jobOf('ledger', mapped)).toBe('platform/ledger');
    expect(jobOf('web', mapped)).toBe('teams/shop/web');
    expect(jobOf('checkout', mapped)).toBe('checkout');
    expect(jenkinsDefinition.annotationsFor('ledger', mapped)).toEqual({
      'jenkins.io/job-full-name': 'platform/ledger',
    });
  });

  it('takes only well-formed jobs settings', () => {
    for (const good of ['a=b', 'ledger=platform/ledger,web=x/y', 'a.b-c_d=f/g.h'])
      expect(JOBS_SETTING.test(good)).toBe(true);
    for (const bad of [
      'a',
      'a=',
      '=b',
      'a=b/../c',
      'a=./b',
      'a=b/job/c',
      'a=b//c',
      'a=/b',
      'a/b=c',
      'a=b:c',
      'a=b,',
      'a=b c',
    ]) {
      expect(JOBS_SETTING.test(bad), bad).toBe(false);
    }
  });

  it("passes the entity's job, and jobs below it, to the plugin as one %2F-joined parameter", () => {
    expect(routed('GET', `${ENTITY}/checkout/projects`)).toBe(`${ENTITY}/checkout/projects`);
    expect(routed('GET', `${ENTITY}/checkout/job/checkout`)).toBe(`${ENTITY}/checkout/job/checkout`);
    expect(routed('GET', `${ENTITY}/checkout/job/checkout/42`)).toBe(`${ENTITY}/checkout/job/checkout/42`);
    expect(routed('POST', `${ENTITY}/checkout/job/checkout/42`)).toBe(`${ENTITY}/checkout/job/checkout/42`);
    const jobs = 'ledger=platform/ledger';
    expect(routed('GET', `${ENTITY}/ledger/job/platform/job/ledger/5/consoleText`, jobs)).toBe(
      `${ENTITY}/ledger/job/platform%2Fledger/5/consoleText`,
    );
    expect(routed('GET', `${ENTITY}/ledger/job/platform/job/ledger/job/main`, jobs)).toBe(
      `${ENTITY}/ledger/job/platform%2Fledger%2Fmain`,
    );
  });

  it("refuses another job than the entity's, its folder, and traversal", () => {
    const jobs = 'ledger=platform/ledger';
    expect(routed('GET', `${ENTITY}/checkout/job/payments/7`)).toBe(400);
    expect(routed('GET', `${ENTITY}/checkout/job/checkout-old/7`)).toBe(400);
    expect(routed('GET', `${ENTITY}/ledger/job/platform/7`, jobs)).toBe(400); // the folder above the entity's job
    expect(routed('GET', `${ENTITY}/ledger/job/platform/job/other/7`, jobs)).toBe(400);
    expect(routed('GET', `${ENTITY}/ledger/job/ledger/7`, jobs)).toBe(400); // the name, not the mapped job
    for (const path of [
      `${ENTITY}/checkout/job/checkout/job/../job/payments/7`,
      `${ENTITY}/checkout/job/checkout/job/./7`,
      `${ENTITY}/checkout/job/..%2Fpayments/7`,
      `${ENTITY}/checkout/job/checkout%2F..%2Fpayments/7`,
      `${ENTITY}/checkout/job/checkout%2Fjob%2Fpayments/7`,
      `${ENTITY}/checkout/job/checkout/job/job/payments/7`,
      `${ENTITY}/checkout/job/checkout/payments/7`,
    ]) {
      expect(routed('GET', path), path).toBe(404);
    }
  });

  it('refuses build numbers that are not numbers', () => {
    for (const build of ['7abc', '-1', '0', '07', '0x10', '1e3', '%37', '7.0', '99999999999', 'lastBuild']) {
      expect(routed('GET', `${ENTITY}/checkout/job/checkout/${build}`), build).toBe(404);
      expect(routed('POST', `${ENTITY}/checkout/job/checkout/${build}`), build).toBe(404);
    }
  });

  it('refuses other methods and routes', () => {
    expect(routed('POST', `${ENTITY}/checkout/projects`)).toBe(404);
    expect(routed('POST', `${ENTITY}/checkout/job/checkout`)).toBe(404);
    expect(routed('POST', `${ENTITY}/checkout/job/checkout/7/consoleText`)).toBe(404);
    expect(routed('GET', '/v1/entity/other/component/checkout/projects')).toBe(404);
    expect(routed('GET', '/v1/entity/default/api/checkout/projects')).toBe(404);
  });
});
