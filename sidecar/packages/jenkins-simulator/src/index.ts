import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export { JENKINS_SEEDS } from './seed';

/**
 * A Jenkins simulator: the remote-access API routes the stock
 * `@backstage-community/plugin-jenkins-backend` (0.31.0) calls, with Jenkins'
 * shapes (https://www.jenkins.io/doc/book/using/remote-access-api/) for
 * pipeline jobs (`WorkflowJob`, builds `WorkflowRun`) and folders (`Folder`,
 * `job/<folder>/job/<name>` paths):
 *
 * - `GET <job>/api/json?tree=…|depth=…`: a job (or a folder with its `jobs`);
 *   `tree` selects top-level fields as Jenkins does (nested selections give
 *   the whole sub-object); a `jobs[…]` tree of a pipeline job, which has no
 *   sub-jobs, gives `{"_class"}` alone, so the plugin asks again for the job.
 * - `GET <job>/<n>/api/json`: one build (git `BuildData` and JUnit
 *   `TestResultAction` where the seed has them).
 * - `GET <job>/<n>/consoleText`: the build's log, text/plain.
 * - `POST <job>/<n>/replay/rebuild`: the Pipeline "Rebuild" (workflow-cps'
 *   ReplayAction), queues a new build and redirects to the job page
 *   (`GET <job>/`, HTML). API-token requests need no CSRF crumb (Jenkins ≥
 *   2.96), and the plugin sends none for it.
 *
 * HTTP Basic with the seed's user and API token, otherwise 401.
 */

export interface JenkinsBuild {
  readonly number: number;
  readonly result: 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED' | null;
  readonly building: boolean;
  readonly timestamp: number;
  readonly duration: number;
  /** Git branch and commit the build ran on (a `hudson.plugins.git.util.BuildData` action). */
  readonly git?: { readonly branch: string; readonly sha1: string };
  /** JUnit results (a `hudson.tasks.junit.TestResultAction`). */
  readonly tests?: { readonly total: number; readonly failed: number; readonly skipped: number };
}

export interface JenkinsJob {
  readonly name: string;
  /** Oldest first; the last is the job's lastBuild. */
  readonly builds: readonly JenkinsBuild[];
}

export interface JenkinsFolder {
  readonly name: string;
  readonly folder: readonly JenkinsItem[];
}

export type JenkinsItem = JenkinsJob | JenkinsFolder;

export interface JenkinsSimulatorOptions {
  readonly user: string;
  readonly apiToken: string;
  readonly items: readonly JenkinsItem[];
}

export interface JenkinsRequestLogEntry {
  readonly method: string;
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
const FOLDER_CLASS = 'com.cloudbees.hudson.plugins.folder.Folder';
const NOT_FOUND = '<html><body><h2>HTTP ERROR 404 Not Found</h2></body></html>';

const isFolder = (item: JenkinsItem): item is JenkinsFolder => 'folder' in item;

function credentialsOf(req: IncomingMessage): { user: string; token: string } | null {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { user: decoded.slice(0, colon), token: decoded.slice(colon + 1) } : null;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json;charset=utf-8',
): number {
  res.writeHead(status, { 'content-type': contentType });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
  return status;
}

/** The top-level field names a `tree` expression selects (`a,b[c,d],e{0,1}` → a, b, e). */
function treeFields(tree: string): Set<string> {
  const fields = new Set<string>();
  let depth = 0;
  let name = '';
  let inName = true;
  for (const char of tree) {
    if (char === '[' || char === '{') {
      if (depth === 0 && name) fields.add(name);
      depth++;
      inName = false;
    } else if (char === ']' || char === '}') {
      depth--;
    } else if (char === ',' && depth === 0) {
      if (inName && name) fields.add(name);
      name = '';
      inName = true;
    } else if (depth === 0 && inName) {
      name += char;
    }
  }
  if (inName && name) fields.add(name);
  return fields;
}

function selected(body: Record<string, unknown>, tree: string | null): Record<string, unknown> {
  if (!tree) return body;
  const fields = treeFields(tree);
  return Object.fromEntries(Object.entries(body).filter(([key]) => key === '_class' || fields.has(key)));
}

/** Starts a Jenkins simulator on 127.0.0.1, port 0. */
export async function startJenkinsSimulator(options: JenkinsSimulatorOptions): Promise<JenkinsSimulator> {
  const log: JenkinsRequestLogEntry[] = [];
  // Builds per job full name; rebuilds add to them.
  const builds = new Map<string, JenkinsBuild[]>();
  const walk = (items: readonly JenkinsItem[], parent: string) => {
    for (const item of items) {
      const fullName = parent ? `${parent}/${item.name}` : item.name;
      if (isFolder(item)) walk(item.folder, fullName);
      else builds.set(fullName, [...item.builds]);
    }
  };
  walk(options.items, '');
  let url = '';

  const find = (segments: readonly string[]): JenkinsItem | undefined => {
    let items: readonly JenkinsItem[] = options.items;
    let found: JenkinsItem | undefined;
    for (const segment of segments) {
      found = items.find(item => item.name === segment);
      if (!found) return undefined;
      items = isFolder(found) ? found.folder : [];
    }
    return found;
  };
  const urlOf = (fullName: string) =>
    `${url}/${fullName
      .split('/')
      .map(encodeURIComponent)
      .map(s => `job/${s}`)
      .join('/')}/`;

  const buildBody = (fullName: string, build: JenkinsBuild) => {
    const actions: unknown[] = [
      { _class: 'hudson.model.CauseAction', causes: [{ shortDescription: 'Started by user' }] },
    ];
    if (build.git) {
      const revision = {
        SHA1: build.git.sha1,
        branch: [{ SHA1: build.git.sha1, name: `refs/remotes/origin/${build.git.branch}` }],
      };
      actions.push({
        _class: 'hudson.plugins.git.util.BuildData',
        buildsByBranchName: { [`refs/remotes/origin/${build.git.branch}`]: { buildNumber: build.number, revision } },
        lastBuiltRevision: revision,
        remoteUrls: ['https://git.example.com/repo.git'],
      });
    }
    if (build.tests) {
      actions.push({
        _class: 'hudson.tasks.junit.TestResultAction',
        failCount: build.tests.failed,
        skipCount: build.tests.skipped,
        totalCount: build.tests.total,
        urlName: 'testReport',
      });
    }
    return {
      _class: RUN_CLASS,
      actions,
      building: build.building,
      displayName: `#${build.number}`,
      duration: build.duration,
      estimatedDuration: build.duration,
      fullDisplayName: `${fullName.split('/').join(' » ')} #${build.number}`,
      id: String(build.number),
      inProgress: build.building,
      number: build.number,
      queueId: 1000 + build.number,
      result: build.result,
      timestamp: build.timestamp,
      url: `${urlOf(fullName)}${build.number}/`,
    };
  };

  const itemBody = (fullName: string, item: JenkinsItem): Record<string, unknown> => {
    const common = {
      actions: [{}, { _class: 'com.cloudbees.plugins.credentials.ViewCredentialsAction' }],
      description: null,
      displayName: item.name,
      fullDisplayName: fullName.split('/').join(' » '),
      fullName,
      name: item.name,
      url: urlOf(fullName),
    };
    if (isFolder(item)) {
      return {
        _class: FOLDER_CLASS,
        ...common,
        jobs: item.folder.map(child => itemBody(`${fullName}/${child.name}`, child)),
      };
    }
    const all = builds.get(fullName) ?? [];
    const last = all[all.length - 1];
    return {
      _class: JOB_CLASS,
      ...common,
      buildable: true,
      builds: [...all].reverse().map(build => buildBody(fullName, build)),
      inQueue: false,
      lastBuild: last ? buildBody(fullName, last) : null,
    };
  };

  const consoleText = (fullName: string, build: JenkinsBuild) =>
    [
      `Started by user ${options.user}`,
      `[Pipeline] Start of Pipeline`,
      `[Pipeline] echo`,
      `building ${fullName} #${build.number}`,
      `[Pipeline] End of Pipeline`,
      build.building ? '' : `Finished: ${build.result ?? 'NOT_BUILT'}`,
      '',
    ].join('\n');

  const answer = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): number => {
    const credentials = credentialsOf(req);
    if (!credentials || credentials.user !== options.user || credentials.token !== options.apiToken) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Jenkins"' });
      res.end();
      return 401;
    }
    // /job/<a>/job/<b>… then what is asked of it.
    const match = /^((?:\/job\/[^/]+)+)(\/.*)$/.exec(path);
    if (!match) return send(res, 404, NOT_FOUND, 'text/html;charset=utf-8');
    const segments = match[1]!.split('/job/').slice(1).map(decodeURIComponent);
    const item = find(segments);
    if (!item) return send(res, 404, NOT_FOUND, 'text/html;charset=utf-8');
    const fullName = segments.join('/');
    const rest = match[2]!;
    if (req.method === 'GET' && rest === '/api/json') {
      const tree = query.get('tree');
      // A pipeline job has no sub-jobs: a tree of jobs[...] only selects its class.
      if (!isFolder(item) && (tree ?? '').startsWith('jobs[')) return send(res, 200, { _class: JOB_CLASS });
      return send(res, 200, selected(itemBody(fullName, item), tree));
    }
    if (req.method === 'GET' && rest === '/') {
      return send(
        res,
        200,
        `<html><head><title>${fullName} [Jenkins]</title></head></html>`,
        'text/html;charset=utf-8',
      );
    }
    const onBuild = /^\/([0-9]+)\/(api\/json|consoleText|replay\/rebuild)$/.exec(rest);
    const all = builds.get(fullName);
    const build = onBuild && all?.find(candidate => candidate.number === Number(onBuild[1]));
    if (!onBuild || !all || !build) return send(res, 404, NOT_FOUND, 'text/html;charset=utf-8');
    const what = onBuild[2];
    if (req.method === 'GET' && what === 'api/json') return send(res, 200, buildBody(fullName, build));
    if (req.method === 'GET' && what === 'consoleText') {
      return send(res, 200, consoleText(fullName, build), 'text/plain;charset=utf-8');
    }
    if (req.method === 'POST' && what === 'replay/rebuild') {
      const number = all[all.length - 1]!.number + 1;
      all.push({
        number,
        result: null,
        building: true,
        timestamp: Date.now(),
        duration: 0,
        ...(build.git ? { git: build.git } : {}),
      });
      res.writeHead(302, { location: urlOf(fullName) });
      res.end();
      return 302;
    }
    return send(res, 405, '', 'text/html;charset=utf-8');
  };

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://jenkins.invalid');
    if (parsed.pathname === '/_simulator/requests') return void send(res, 200, log);
    const user = credentialsOf(req)?.user ?? null;
    // Drain any body before answering (a POST may carry one).
    req.resume();
    const status = answer(req, res, parsed.pathname, parsed.searchParams);
    log.push({ method: req.method ?? 'GET', path: parsed.pathname, user, status });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests: () => [...log],
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
