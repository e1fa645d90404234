import { X509Certificate } from 'node:crypto';
import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import { ENTITY_NAME, type StockPluginDefinition } from './definition';

/** The one cluster of a workspace's process; named here, never by a caller (the proxy's cluster header is refused). */
export const KUBERNETES_CLUSTER_NAME = 'workspace';

/**
 * What the plugin lists for an entity: its default object types without limit
 * ranges and resource quotas (namespace policy, not the entity's workloads).
 * Secrets are never listed; no custom resources are configured.
 */
export const KUBERNETES_OBJECT_TYPES = [
  'pods',
  'services',
  'configmaps',
  'deployments',
  'replicasets',
  'horizontalpodautoscalers',
  'jobs',
  'cronjobs',
  'ingresses',
  'statefulsets',
  'daemonsets',
] as const;

const SERVICE_PATH = new RegExp(`^/services/(${ENTITY_NAME})$`);
const COMPONENT_REF = new RegExp(`^component:(?:default/)?(${ENTITY_NAME})$`, 'i');

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Only `entity`/`entityRef` and `auth` are taken; `auth` must be empty: the cluster's credentials are the workspace's. */
function checkedFields(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(body)) throw new Error('expected a JSON object');
  const unknown = Object.keys(body).filter(key => !allowed.includes(key));
  if (unknown.length) throw new Error(`unknown field(s) ${unknown.join(', ')} (it takes ${allowed.join(', ')})`);
  if (body.auth !== undefined && (!isRecord(body.auth) || Object.keys(body.auth).length > 0)) {
    throw new Error("auth must be empty: the cluster's credentials come from the workspace's settings");
  }
  return body;
}

/** The entity the plugin is given: `component:default/<name>`, which the replacement catalog resolves. */
const componentEntity = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
});

/**
 * `POST /services/<name>` (KubernetesBackendClient.getObjectsByEntity): the
 * body's entity, if any, must be that component; what is forwarded is that
 * component alone (the plugin then resolves it through the catalog).
 */
function servicesBody(body: unknown, path: string): unknown {
  const name = SERVICE_PATH.exec(path)![1]!;
  const { entity } = checkedFields(body, ['entity', 'auth']);
  if (entity !== undefined) {
    if (!isRecord(entity) || !isRecord(entity.metadata)) throw new Error('entity must be an object with metadata');
    const { kind } = entity;
    const { name: entityName, namespace } = entity.metadata;
    if (typeof kind !== 'string' || kind.toLowerCase() !== 'component')
      throw new Error('entity.kind must be Component');
    if (namespace !== undefined && namespace !== 'default')
      throw new Error('entity.metadata.namespace must be default');
    if (entityName !== name) throw new Error(`entity.metadata.name must be the name in the path (${name})`);
  }
  return { entity: componentEntity(name), auth: {} };
}

/** `POST /resources/workloads/query` (KubernetesBackendClient.getWorkloadsByEntity): `entityRef` must be a component of the default namespace. */
function workloadsBody(body: unknown): unknown {
  const { entityRef } = checkedFields(body, ['entityRef', 'auth']);
  const match = typeof entityRef === 'string' ? COMPONENT_REF.exec(entityRef) : null;
  if (!match) throw new Error('entityRef must be "component:default/<name>"');
  return { entityRef: `component:default/${match[1]}`, auth: {} };
}

/**
 * The CA of the cluster's API server, as PEM or as kubeconfig's base64
 * `certificate-authority-data`; the plugin takes the base64 form. Checked
 * here so that a wrong value stops the process with a reason, not each call.
 */
function caDataOf(value: string): string {
  const pem = value.includes('-----BEGIN') ? value : Buffer.from(value, 'base64').toString('utf8');
  try {
    new X509Certificate(pem);
  } catch {
    throw new Error('ca_data is not a PEM certificate (nor base64 of one, as in a kubeconfig)');
  }
  return Buffer.from(pem, 'utf8').toString('base64');
}

function kubernetesConfig(settings: PluginSettings): Record<string, unknown> {
  const url = settings.config.cluster_url;
  const token = settings.secrets.service_account_token;
  if (!url) throw new Error('the kubernetes plugin needs cluster_url');
  // Without a token the plugin would fall back to the pod's own service account (in-cluster): never.
  if (!token) throw new Error('the kubernetes plugin needs the service_account_token secret');
  const caData = settings.config.ca_data;
  return {
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: KUBERNETES_CLUSTER_NAME,
              url,
              authProvider: 'serviceAccount',
              serviceAccountToken: token,
              // TLS is always verified; a private CA goes in ca_data.
              skipTLSVerify: false,
              ...(caData ? { caData: caDataOf(caData) } : {}),
            },
          ],
        },
      ],
      objectTypes: [...KUBERNETES_OBJECT_TYPES],
    },
  };
}

export const kubernetesDefinition: StockPluginDefinition = {
  pluginId: 'kubernetes',
  packageName: '@backstage/plugin-kubernetes-backend',
  isolation:
    "a Backstage process per workspace with one cluster, `workspace`, built from that workspace's URL and token; workload bodies forced to `component:default/<name>` with empty `auth`; `/proxy`, custom resources and the plugin's actions refused",
  // The entity's workloads (both ways the frontend asks) and the cluster list. Refused: /proxy/* (its
  // cluster comes from a header and it passes any verb to the API server), /resources/custom/query, actions.
  routes: [
    { method: 'POST', path: SERVICE_PATH, body: servicesBody },
    { method: 'POST', path: /^\/resources\/workloads\/query$/, body: workloadsBody },
    { method: 'GET', path: /^\/clusters$/ },
  ],
  configFor: kubernetesConfig,
  // The plugin's label selector is backstage.io/kubernetes-id=<name>, in every namespace the token may list.
  annotationsFor: name => ({ 'backstage.io/kubernetes-id': name }),
};
