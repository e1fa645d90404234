import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A SonarQube Web API simulator: the three routes the stock
 * `@backstage-community/plugin-sonarqube-backend` calls, with SonarQube's
 * documented shapes (https://next.sonarqube.com/sonarqube/web_api):
 * `GET api/components/show`, `GET api/metrics/search` (paged), `GET
 * api/measures/component`. A user token is sent as HTTP Basic user with an
 * empty password (or as `Bearer`); anything else is 401 like SonarQube.
 */

export { SONARQUBE_SEEDS } from './seed';

export interface SonarProject {
  readonly key: string;
  readonly name: string;
  readonly analysisDate: string;
  /** metric key → value as SonarQube renders it (strings). */
  readonly measures: Readonly<Record<string, string>>;
}

export interface SonarQubeSimulatorOptions {
  /** The token every call must carry. */
  readonly token: string;
  readonly projects: readonly SonarProject[];
}

export interface SonarRequestLogEntry {
  readonly path: string;
  readonly query: string;
  /** The token the call carried, or null. */
  readonly token: string | null;
  readonly status: number;
}

export interface SonarQubeSimulator {
  readonly url: string;
  /** Every request received, oldest first. */
  requests(): readonly SonarRequestLogEntry[];
  close(): Promise<void>;
}

/** The metrics SonarQube defines that the plugin asks for (key, name, type, domain). */
const METRICS: ReadonlyArray<readonly [string, string, string, string]> = [
  ['alert_status', 'Quality Gate Status', 'LEVEL', 'Releasability'],
  ['bugs', 'Bugs', 'INT', 'Reliability'],
  ['reliability_rating', 'Reliability Rating', 'RATING', 'Reliability'],
  ['vulnerabilities', 'Vulnerabilities', 'INT', 'Security'],
  ['security_rating', 'Security Rating', 'RATING', 'Security'],
  ['security_hotspots_reviewed', 'Security Hotspots Reviewed', 'PERCENT', 'SecurityReview'],
  ['security_review_rating', 'Security Review Rating', 'RATING', 'SecurityReview'],
  ['code_smells', 'Code Smells', 'INT', 'Maintainability'],
  ['sqale_rating', 'Maintainability Rating', 'RATING', 'Maintainability'],
  ['coverage', 'Coverage', 'PERCENT', 'Coverage'],
  ['duplicated_lines_density', 'Duplicated Lines (%)', 'PERCENT', 'Duplications'],
  ['ncloc', 'Lines of Code', 'INT', 'Size'],
];

function tokenOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  const basic = /^Basic (.+)$/.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 ? decoded.slice(0, colon) : null;
  }
  const bearer = /^Bearer (.+)$/.exec(header);
  return bearer ? bearer[1]! : null;
}

function send(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return status;
}

const notFound = (res: ServerResponse, key: string) =>
  send(res, 404, { errors: [{ msg: `Component key '${key}' not found` }] });

/** Starts a SonarQube simulator on 127.0.0.1, port 0. */
export async function startSonarQubeSimulator(options: SonarQubeSimulatorOptions): Promise<SonarQubeSimulator> {
  const log: SonarRequestLogEntry[] = [];
  const projects = new Map(options.projects.map(project => [project.key, project]));

  const answer = (req: IncomingMessage, res: ServerResponse, url: URL, token: string | null): number => {
    if (req.method !== 'GET') return send(res, 405, { errors: [{ msg: 'Only GET is supported' }] });
    if (token !== options.token) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="sonarqube"' });
      res.end();
      return 401;
    }
    const component = url.searchParams.get('component') ?? '';
    switch (url.pathname) {
      case '/api/components/show': {
        const project = projects.get(component);
        if (!project) return notFound(res, component);
        return send(res, 200, {
          component: { key: project.key, name: project.name, qualifier: 'TRK', analysisDate: project.analysisDate },
        });
      }
      case '/api/metrics/search': {
        const pageSize = Math.min(500, Math.max(1, Number(url.searchParams.get('ps') ?? 100) || 100));
        const page = Math.max(1, Number(url.searchParams.get('p') ?? 1) || 1);
        const metrics = METRICS.slice((page - 1) * pageSize, page * pageSize).map(
          ([key, name, type, domain], index) => ({
            id: String(index + 1),
            key,
            type,
            name,
            domain,
            hidden: false,
            custom: false,
          }),
        );
        return send(res, 200, { metrics, total: METRICS.length, p: page, ps: pageSize });
      }
      case '/api/measures/component': {
        const project = projects.get(component);
        if (!project) return notFound(res, component);
        const wanted = (url.searchParams.get('metricKeys') ?? '').split(',').filter(Boolean);
        const measures = wanted
          .filter(metric => project.measures[metric] !== undefined)
          .map(metric => ({ metric, value: project.measures[metric] }));
        return send(res, 200, { component: { key: project.key, name: project.name, qualifier: 'TRK', measures } });
      }
      default:
        return send(res, 404, { errors: [{ msg: `Unknown url : ${url.pathname}` }] });
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sonarqube.invalid');
    if (url.pathname === '/_simulator/requests') return void send(res, 200, log);
    const token = tokenOf(req);
    const status = answer(req, res, url, token);
    log.push({ path: url.pathname, query: url.search, token, status });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...log],
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
