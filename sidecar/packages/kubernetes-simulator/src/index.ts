import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RESOURCE_TYPES, apiVersionOf, objectsOf, type ResourceType, type Workload } from './resources';

export { KUBERNETES_SEEDS } from './seed';
export { RESOURCE_TYPES, objectsOf, type ResourceType, type Workload } from './resources';

/**
 * A Kubernetes API server simulator: the read-only list routes the stock
 * `@backstage/plugin-kubernetes-backend` calls for an entity,
 * `GET /api/v1[/namespaces/<ns>]/<plural>?labelSelector=…` and
 * `GET /apis/<group>/<version>[/namespaces/<ns>]/<plural>?labelSelector=…`,
 * answered as `<Kind>List` objects (kind, apiVersion, metadata.resourceVersion,
 * items) the way the API server does
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/), errors as a
 * `Status` object. A service-account token (`Authorization: Bearer`) is
 * required, otherwise 401.
 */

export interface KubernetesSimulatorOptions {
  /** The service-account token the API server accepts. */
  readonly token: string;
  readonly workloads: readonly Workload[];
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface KubernetesRequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly labelSelector: string | null;
  /** The bearer token presented (null: none). */
  readonly token: string | null;
  readonly status: number;
}

export interface KubernetesSimulator {
  readonly url: string;
  requests(): readonly KubernetesRequestLogEntry[];
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  405: 'MethodNotAllowed',
};

/** The API server's error answer: a `Status` object (kind Status, status Failure, reason, code). */
function sendStatus(res: ServerResponse, code: number, message: string, details?: object): number {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason: REASONS[code] ?? 'InternalError',
      ...(details ? { details } : {}),
      code,
    }),
  );
  return code;
}

type Requirement = { key: string; operator: '=' | '!='; value: string };

/** Equality-based label selectors (`a=b`, `a==b`, `a!=b`, comma = and), as the API server parses them; undefined if malformed. */
export function parseLabelSelector(selector: string): Requirement[] | undefined {
  if (selector.trim() === '') return [];
  const requirements: Requirement[] = [];
  for (const part of selector.split(',')) {
    const match = /^\s*([A-Za-z0-9][-A-Za-z0-9_./]*)\s*(!=|==|=)\s*([-A-Za-z0-9_.]*)\s*$/.exec(part);
    if (!match) return undefined;
    requirements.push({ key: match[1]!, operator: match[2] === '!=' ? '!=' : '=', value: match[3]! });
  }
  return requirements;
}

const matches = (labels: Record<string, string> | undefined, requirements: readonly Requirement[]) =>
  requirements.every(({ key, operator, value }) => (labels?.[key] === value) === (operator === '='));

/** The resource type and namespace a list path names, or undefined if it names none the simulator serves. */
function listTarget(path: string): { type: ResourceType; namespace?: string } | undefined {
  const match =
    /^\/api\/(?<version>v1)(?:\/namespaces\/(?<namespace>[^/]+))?\/(?<plural>[a-z]+)$/.exec(path) ??
    /^\/apis\/(?<group>[^/]+)\/(?<version>[^/]+)(?:\/namespaces\/(?<namespace>[^/]+))?\/(?<plural>[a-z]+)$/.exec(path);
  if (!match?.groups) return undefined;
  const { group = '', version, plural, namespace } = match.groups;
  const type = RESOURCE_TYPES.find(
    candidate => candidate.group === group && candidate.version === version && candidate.plural === plural,
  );
  return type ? { type, ...(namespace ? { namespace: decodeURIComponent(namespace) } : {}) } : undefined;
}

/** Starts a Kubernetes API simulator on 127.0.0.1, port 0. */
export async function startKubernetesSimulator(options: KubernetesSimulatorOptions): Promise<KubernetesSimulator> {
  const log: KubernetesRequestLogEntry[] = [];
  const objects = objectsOf(options.workloads);
  // One resourceVersion for the whole store (etcd's revision): every list answers it.
  const resourceVersion = String(100_000 + objects.length * 7);

  const answer = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): number => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token !== options.token) return sendStatus(res, 401, 'Unauthorized');
    const target = listTarget(path);
    if (!target) return sendStatus(res, 404, 'the server could not find the requested resource', {});
    if (req.method !== 'GET')
      return sendStatus(res, 405, `the server does not allow this method on the requested resource`);
    const requirements = parseLabelSelector(query.get('labelSelector') ?? '');
    if (!requirements) return sendStatus(res, 400, `unable to parse requirement: ${query.get('labelSelector')}`);
    const items = objects
      .filter(stored => stored.type === target.type)
      .filter(stored => target.namespace === undefined || stored.object.metadata.namespace === target.namespace)
      .filter(stored => matches(stored.object.metadata.labels, requirements))
      .map(stored => stored.object);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.end(
      JSON.stringify({
        kind: `${target.type.kind}List`,
        apiVersion: apiVersionOf(target.type),
        metadata: { resourceVersion },
        items,
      }),
    );
    return 200;
  };

  const handler: RequestListener = (req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://kubernetes.invalid');
    if (parsed.pathname === '/_simulator/requests') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(log));
    }
    const status = answer(req, res, parsed.pathname, parsed.searchParams);
    log.push({
      method: req.method ?? 'GET',
      path: parsed.pathname,
      labelSelector: parsed.searchParams.get('labelSelector'),
      token: /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null,
      status,
    });
  };
  const server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests: () => [...log],
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
