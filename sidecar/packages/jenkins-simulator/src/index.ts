import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export { JENKINS_SEEDS } from './seed';

/**
 * A Jenkins simulator: the remote-access API route the stock
 * `@backstage-community/plugin-jenkins-backend` calls to list an entity's
 * projects, `GET /job/<name>/api/json?tree=…`, with Jenkins' shapes for a
 * pipeline job (https://www.jenkins.io/doc/book/using/remote-access-api/).
 * A `tree` asking only for `jobs[…]` gets what Jenkins gives for a job that
 * has no sub-jobs (`{"_class"}` alone), so the plugin asks again for the job
 * itself. HTTP Basic with the seed's user and API token, otherwise 401.
 */

export interface JenkinsJob {
  readonly name: string;
  readonly lastBuild: {
    readonly number: number;
    readonly result: 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED' | null;
    readonly building: boolean;
    readonly timestamp: number;
    readonly duration: number;
  };
}

export interface JenkinsSimulatorOptions {
  readonly user: string;
  readonly apiToken: string;
  readonly jobs: readonly JenkinsJob[];
}

export interface JenkinsRequestLogEntry {
  readonly path: string;
  readonly user: string | null;
  readonly status: number;
}

export interface JenkinsSimulator {
  readonly url: string;
  requests(): readonly JenkinsRequestLogEntry[];
  close(): Promise<void>;
}

const JOB_CLASS = 'org.jenkinsci.plugins.workflow.job.WorkflowJob';
const RUN_CLASS = 'org.jenkinsci.plugins.workflow.job.WorkflowRun';

function credentialsOf(req: IncomingMessage): { user: string; token: string } | null {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { user: decoded.slice(0, colon), token: decoded.slice(colon + 1) } : null;
}

function send(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
  return status;
}

/** Starts a Jenkins simulator on 127.0.0.1, port 0. */
export async function startJenkinsSimulator(options: JenkinsSimulatorOptions): Promise<JenkinsSimulator> {
  const log: JenkinsRequestLogEntry[] = [];
  const jobs = new Map(options.jobs.map(job => [job.name, job]));
  let url = '';

  const jobBody = (job: JenkinsJob) => {
    const jobUrl = `${url}/job/${encodeURIComponent(job.name)}/`;
    const build = job.lastBuild;
    return {
      _class: JOB_CLASS,
      actions: [{}, { _class: 'hudson.plugins.jobConfigHistory.JobConfigHistoryProjectAction' }],
      displayName: job.name,
      fullDisplayName: job.name,
      fullName: job.name,
      name: job.name,
      url: jobUrl,
      inQueue: false,
      lastBuild: {
        _class: RUN_CLASS,
        actions: [{ _class: 'hudson.model.CauseAction' }],
        building: build.building,
        displayName: `#${build.number}`,
        duration: build.duration,
        fullDisplayName: `${job.name} #${build.number}`,
        number: build.number,
        result: build.result,
        timestamp: build.timestamp,
        url: `${jobUrl}${build.number}/`,
      },
    };
  };

  const answer = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): number => {
    if (req.method !== 'GET') return send(res, 405, '');
    const credentials = credentialsOf(req);
    if (!credentials || credentials.user !== options.user || credentials.token !== options.apiToken) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Jenkins"' });
      res.end();
      return 401;
    }
    const match = /^\/job\/([^/]+)\/api\/json$/.exec(path);
    if (!match) return send(res, 404, '<html><body>Not Found</body></html>');
    const job = jobs.get(decodeURIComponent(match[1]!));
    if (!job) return send(res, 404, '<html><body>Not Found</body></html>');
    // A pipeline job has no sub-jobs: a tree of jobs[...] only selects its class.
    if ((query.get('tree') ?? '').startsWith('jobs[')) return send(res, 200, { _class: JOB_CLASS });
    return send(res, 200, jobBody(job));
  };

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://jenkins.invalid');
    if (parsed.pathname === '/_simulator/requests') return void send(res, 200, log);
    const user = credentialsOf(req)?.user ?? null;
    const status = answer(req, res, parsed.pathname, parsed.searchParams);
    log.push({ path: parsed.pathname, user, status });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests: () => [...log],
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
