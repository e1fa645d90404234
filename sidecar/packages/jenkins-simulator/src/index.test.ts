import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JENKINS_SEEDS, type JenkinsSimulator, startJenkinsSimulator } from './index';

// The simulator's answers in the shapes the Jenkins plugin reads (and Jenkins gives).
let jenkins: JenkinsSimulator;
const seed = JENKINS_SEEDS.acme!;
const auth = { authorization: `Basic ${Buffer.from(`${seed.user}:${seed.apiToken}`).toString('base64')}` };
const get = (path: string) => fetch(`${jenkins.url}${path}`, { headers: auth });

beforeAll(async () => {
  jenkins = await startJenkinsSimulator(seed);
});
afterAll(() => jenkins.close());

describe('the Jenkins simulator', () => {
  it('refuses calls without the seed account', async () => {
    expect((await fetch(`${jenkins.url}/job/checkout/api/json`)).status).toBe(401);
    const wrong = { authorization: `Basic ${Buffer.from(`${seed.user}:nope`).toString('base64')}` };
    expect((await fetch(`${jenkins.url}/job/checkout/api/json`, { headers: wrong })).status).toBe(401);
  });

  it('keeps the top-level fields a tree names, and answers a folder with its jobs', async () => {
    const job = (await (await get('/job/checkout/api/json?tree=name,fullName,builds[number]')).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(job).sort()).toEqual(['_class', 'builds', 'fullName', 'name']);
    expect((job.builds as { number: number }[]).map(build => build.number)).toEqual([42, 41]);
    // A pipeline job has no sub-jobs: a jobs[…] tree selects its class only.
    expect(await (await get('/job/checkout/api/json?tree=jobs[name]{0,50}')).json()).toEqual({
      _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob',
    });
    const folder = (await (await get('/job/platform/api/json?tree=jobs[name,fullName]')).json()) as {
      _class: string;
      jobs: { fullName: string; url: string }[];
    };
    expect(folder._class).toBe('com.cloudbees.hudson.plugins.folder.Folder');
    expect(folder.jobs.map(child => [child.fullName, child.url])).toEqual([
      ['platform/ledger', `${jenkins.url}/job/platform/job/ledger/`],
    ]);
  });

  it('answers one build with its git and test actions, and its console text', async () => {
    const build = (await (await get('/job/checkout/42/api/json')).json()) as {
      number: number;
      actions: { _class?: string }[];
    };
    expect(build.number).toBe(42);
    expect(build.actions.map(action => action._class)).toEqual([
      'hudson.model.CauseAction',
      'hudson.plugins.git.util.BuildData',
      'hudson.tasks.junit.TestResultAction',
    ]);
    const log = await get('/job/platform/job/ledger/5/consoleText');
    expect(log.headers.get('content-type')).toContain('text/plain');
    expect(await log.text()).toContain('building platform/ledger #5');
    expect((await get('/job/checkout/99/api/json')).status).toBe(404);
    expect((await get('/job/platform/job/nope/api/json')).status).toBe(404);
  });

  it('rebuilds with a POST: a new running build, and a redirect to the job page', async () => {
    const rebuilt = await fetch(`${jenkins.url}/job/payments/7/replay/rebuild`, {
      method: 'POST',
      headers: auth,
      redirect: 'manual',
    });
    expect([rebuilt.status, rebuilt.headers.get('location')]).toEqual([302, `${jenkins.url}/job/payments/`]);
    const job = (await (await get('/job/payments/api/json')).json()) as {
      lastBuild: { number: number; building: boolean };
    };
    expect(job.lastBuild).toMatchObject({ number: 8, building: true });
    expect((await fetch(`${jenkins.url}/job/payments/7/replay/rebuild`, { headers: auth })).status).toBe(405);
    expect(jenkins.requests().some(entry => entry.method === 'POST' && entry.status === 302)).toBe(true);
  });
});
