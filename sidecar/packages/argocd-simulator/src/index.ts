import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';

/**
 * An Argo CD API server simulator: the REST routes the stock
 * `@backstage-community/plugin-argocd-backend` (1.5.0, with plugin-argocd-node
 * 1.2.0) calls, with the shapes of Argo CD's API (its swagger description,
 * `assets/swagger.json` of the Argo CD server, types `v1alpha1Application`,
 * `v1alpha1ApplicationList`, `v1alpha1RevisionMetadata`; errors as
 * grpc-gateway's `runtimeError`):
 * `GET api/v1/applications` (selector, name, project, appNamespace filters),
 * `GET api/v1/applications/<name>`, `GET api/v1/applications/<name>/revisions/<revision>/metadata`.
 * Every call needs `Authorization: Bearer <the seed's token>`; otherwise 401 like Argo CD.
 */

export { ARGOCD_SEEDS } from './seed';

export interface ArgoDeployment {
  readonly revision: string;
  readonly deployedAt: string;
  /** The commit's author and message, answered by the revision metadata route. */
  readonly author: string;
  readonly message: string;
}

export interface ArgoResourceSeed {
  readonly group?: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly status: 'Synced' | 'OutOfSync';
  readonly health: string;
}

export interface ArgoApplicationSeed {
  readonly name: string;
  readonly project: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly repoURL: string;
  readonly path: string;
  readonly destinationNamespace: string;
  readonly sync: 'Synced' | 'OutOfSync' | 'Unknown';
  readonly health: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  /** Newest first. */
  readonly history: readonly ArgoDeployment[];
  readonly resources: readonly ArgoResourceSeed[];
  readonly images: readonly string[];
}

export interface ArgoCdSimulatorOptions {
  /** The API token every call must carry as a Bearer token. */
  readonly token: string;
  readonly applications: readonly ArgoApplicationSeed[];
}

export interface ArgoRequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** The Bearer token the call carried, or null. */
  readonly token: string | null;
  readonly status: number;
}

export interface ArgoCdSimulator {
  readonly url: string;
  /** Every request received, oldest first. */
  requests(): readonly ArgoRequestLogEntry[];
  close(): Promise<void>;
}

/** Where Argo CD keeps its Application resources (the default `argocd` namespace). */
const CONTROL_NAMESPACE = 'argocd';
const IN_CLUSTER = 'https://kubernetes.default.svc';

const uidOf = (name: string) => {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** An Application as Argo CD's API renders it (v1alpha1Application; the API leaves out apiVersion and kind). */
export type RenderedApplication = Omit<IApplication, 'apiVersion' | 'kind'>;

/** An Application as Argo CD's API renders it; typed by the Application CRD's schema, so a misnamed field fails typecheck. */
export function renderApplication(seed: ArgoApplicationSeed): RenderedApplication {
  const source = { repoURL: seed.repoURL, path: seed.path, targetRevision: 'HEAD' };
  const destination = { server: IN_CLUSTER, namespace: seed.destinationNamespace };
  const latest = seed.history[0];
  const history = [...seed.history].reverse().map((deployment, index) => ({
    revision: deployment.revision,
    deployedAt: deployment.deployedAt,
    deployStartedAt: deployment.deployedAt,
    id: index,
    source,
  }));
  return {
    metadata: {
      name: seed.name,
      namespace: CONTROL_NAMESPACE,
      uid: uidOf(seed.name),
      resourceVersion: String(1000 + seed.history.length),
      generation: seed.history.length,
      creationTimestamp: seed.history.at(-1)?.deployedAt ?? '2026-01-01T00:00:00Z',
      labels: { ...seed.labels },
    },
    spec: {
      project: seed.project,
      source,
      destination,
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
    status: {
      resources: seed.resources.map(resource => ({
        ...(resource.group ? { group: resource.group } : {}),
        version: resource.version,
        kind: resource.kind,
        namespace: seed.destinationNamespace,
        name: resource.name,
        status: resource.status,
        health: { status: resource.health },
      })),
      sync: { status: seed.sync, comparedTo: { source, destination }, revision: latest?.revision ?? '' },
      health: { status: seed.health },
      history,
      reconciledAt: latest?.deployedAt ?? '2026-01-01T00:00:00Z',
      ...(latest
        ? {
            operationState: {
              operation: { sync: { revision: latest.revision }, initiatedBy: { automated: true } },
              phase: 'Succeeded',
              message: 'successfully synced (all tasks run)',
              syncResult: { revision: latest.revision, source },
              startedAt: latest.deployedAt,
              finishedAt: latest.deployedAt,
            },
          }
        : {}),
      sourceType: 'Directory',
      summary: { images: [...seed.images] },
    },
  };
}

/** Kubernetes label selector terms: `k=v`, `k==v`, `k!=v`, `k` (exists), `!k` (absent), comma-separated. */
function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector
    .split(',')
    .map(term => term.trim())
    .filter(Boolean)
    .every(term => {
      const unequal = /^([^!=]+)!=(.*)$/.exec(term);
      if (unequal) return labels[unequal[1]!.trim()] !== unequal[2]!.trim();
      const equal = /^([^!=]+)==?(.*)$/.exec(term);
      if (equal) return labels[equal[1]!.trim()] === equal[2]!.trim();
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}

/** grpc-gateway's error body, as Argo CD's API answers errors (runtimeError). */
function sendError(res: ServerResponse, status: number, code: number, message: string): number {
  return send(res, status, { error: message, code, message });
}

function send(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return status;
}

function bearerOf(req: IncomingMessage): string | null {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return match ? match[1]! : null;
}

const notFound = (res: ServerResponse, name: string) =>
  sendError(res, 404, 5, `applications.argoproj.io "${name}" not found`);

/** Starts an Argo CD simulator on 127.0.0.1, port 0. */
export async function startArgoCdSimulator(options: ArgoCdSimulatorOptions): Promise<ArgoCdSimulator> {
  const log: ArgoRequestLogEntry[] = [];
  const applications = new Map(options.applications.map(application => [application.name, application]));

  /** An application the query may see: in the control namespace and, if projects are named, in one of them. */
  const visible = (application: ArgoApplicationSeed, query: URLSearchParams) => {
    const namespace = query.get('appNamespace');
    const projects = query.getAll('project');
    return (
      (!namespace || namespace === CONTROL_NAMESPACE) && (!projects.length || projects.includes(application.project))
    );
  };

  const answer = (req: IncomingMessage, res: ServerResponse, url: URL, token: string | null): number => {
    if (token === null) return sendError(res, 401, 16, 'no session information');
    if (token !== options.token) return sendError(res, 401, 16, 'invalid session: token signature is invalid');
    if (req.method !== 'GET') return sendError(res, 405, 12, 'Method Not Allowed');
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] !== 'api' || segments[1] !== 'v1' || segments[2] !== 'applications') {
      return sendError(res, 404, 5, 'Not Found');
    }
    const query = url.searchParams;
    if (segments.length === 3) {
      const name = query.get('name');
      const selector = query.get('selector') ?? '';
      const items = [...applications.values()]
        .filter(application => visible(application, query))
        .filter(application => !name || application.name === name)
        .filter(application => matchesSelector(application.labels, selector))
        .map(renderApplication);
      return send(res, 200, { metadata: { resourceVersion: '1042' }, items });
    }
    const application = applications.get(segments[3]!);
    if (!application || !visible(application, query)) return notFound(res, segments[3]!);
    if (segments.length === 4) return send(res, 200, renderApplication(application));
    if (segments.length === 7 && segments[4] === 'revisions' && segments[6] === 'metadata') {
      const deployment = application.history.find(entry => entry.revision === segments[5]);
      if (!deployment) return sendError(res, 404, 5, `revision ${segments[5]} not found`);
      return send(res, 200, { author: deployment.author, date: deployment.deployedAt, message: deployment.message });
    }
    return sendError(res, 404, 5, 'Not Found');
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://argocd.invalid');
    if (url.pathname === '/_simulator/requests') return void send(res, 200, log);
    const token = bearerOf(req);
    let status: number;
    try {
      status = answer(req, res, url, token);
    } catch {
      status = sendError(res, 400, 3, 'malformed request path');
    }
    log.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, token, status });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...log],
    close: () =>
      new Promise(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
