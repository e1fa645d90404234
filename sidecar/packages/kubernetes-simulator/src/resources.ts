import { createHash } from 'node:crypto';

/**
 * The resource types the simulator serves, as the Kubernetes API names them
 * (group, version, plural) with the kind of their objects. These are the
 * lists `@backstage/plugin-kubernetes-backend` asks for (its default object
 * types, plus `metrics.k8s.io` pod metrics from metrics-server).
 */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' },
  { group: '', version: 'v1', plural: 'limitranges', kind: 'LimitRange' },
  { group: '', version: 'v1', plural: 'resourcequotas', kind: 'ResourceQuota' },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet' },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet' },
  { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler' },
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' },
  { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob' },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress' },
  { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', kind: 'PodMetrics' },
];

export const apiVersionOf = (type: ResourceType) => (type.group ? `${type.group}/${type.version}` : type.version);

/** An object as the API server stores it: its type and the JSON it answers (without kind/apiVersion, as in lists). */
export interface StoredObject {
  readonly type: ResourceType;
  readonly object: { metadata: ObjectMeta } & Record<string, unknown>;
}

/** The part of ObjectMeta the simulator reads (name, namespace, labels); the rest is answered as stored. */
export type ObjectMeta = { name: string; namespace: string; labels?: Record<string, string> } & Record<string, unknown>;

/** A component's workload in a seed: a Deployment (with its ReplicaSet, pods, Service, HPA) or a CronJob with a Job. */
export interface Workload {
  /** The Backstage entity name; labels `backstage.io/kubernetes-id` and `app`. */
  readonly component: string;
  readonly namespace: string;
  readonly image: string;
  readonly kind: 'Deployment' | 'CronJob';
  /** Deployment: ready pods out of desired replicas. */
  readonly replicas?: number;
  readonly readyReplicas?: number;
  /** CronJob: its schedule. */
  readonly schedule?: string;
  /** Usage metrics-server reports per pod. */
  readonly usage?: { readonly cpu: string; readonly memory: string };
}

const typeOf = (plural: string, group = '') =>
  RESOURCE_TYPES.find(type => type.plural === plural && type.group === group)!;

const CREATED = '2026-11-20T09:00:00Z';
const STARTED = '2026-11-30T08:00:00Z';

/** A stable uid from the object's coordinates (a v4-shaped UUID), so answers do not change between runs. */
function uidOf(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('/')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function metadata(kind: string, name: string, namespace: string, labels: Record<string, string>, extra = {}) {
  return {
    name,
    namespace,
    uid: uidOf(kind, namespace, name),
    resourceVersion: String(100_000 + (parseInt(uidOf(kind, namespace, name).slice(0, 6), 16) % 900_000)),
    creationTimestamp: CREATED,
    labels,
    ...extra,
  };
}

const ownedBy = (apiVersion: string, kind: string, name: string, namespace: string) => ({
  ownerReferences: [
    { apiVersion, kind, name, uid: uidOf(kind, namespace, name), controller: true, blockOwnerDeletion: true },
  ],
});

function containerOf(workload: Workload) {
  return {
    name: workload.component,
    image: workload.image,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    imagePullPolicy: 'IfNotPresent',
  };
}

function podOf(workload: Workload, name: string, labels: Record<string, string>, owner: object, ready: boolean) {
  const { component, namespace, image } = workload;
  return {
    metadata: metadata('Pod', name, namespace, labels, owner),
    spec: {
      containers: [containerOf(workload)],
      restartPolicy: workload.kind === 'CronJob' ? 'OnFailure' : 'Always',
      nodeName: 'node-1',
      serviceAccountName: 'default',
    },
    status: {
      phase: ready ? 'Running' : 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: STARTED },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: STARTED },
      ],
      hostIP: '10.0.0.11',
      podIP: `10.244.0.${(parseInt(uidOf(name).slice(0, 2), 16) % 250) + 2}`,
      startTime: STARTED,
      containerStatuses: [
        {
          name: component,
          image,
          imageID: `${image.split(':')[0]}@sha256:${createHash('sha256').update(image).digest('hex')}`,
          ready,
          started: ready,
          restartCount: 0,
          state: ready ? { running: { startedAt: STARTED } } : { waiting: { reason: 'ContainerCreating' } },
        },
      ],
      qosClass: 'Burstable',
    },
  };
}

function deploymentObjects(workload: Workload): StoredObject[] {
  const { component, namespace } = workload;
  const replicas = workload.replicas ?? 1;
  const ready = Math.min(workload.readyReplicas ?? replicas, replicas);
  const hash = uidOf('template', namespace, component).slice(0, 10).replace(/-/g, '');
  const selector = { app: component };
  const labels = { app: component, 'backstage.io/kubernetes-id': component };
  const podLabels = { ...labels, 'pod-template-hash': hash };
  const replicaSet = `${component}-${hash}`;
  const template = { metadata: { labels: podLabels }, spec: { containers: [containerOf(workload)] } };
  const objects: StoredObject[] = [
    {
      type: typeOf('deployments', 'apps'),
      object: {
        metadata: metadata('Deployment', component, namespace, labels, {
          generation: 1,
          annotations: { 'deployment.kubernetes.io/revision': '1' },
        }),
        spec: {
          replicas,
          selector: { matchLabels: selector },
          template: { metadata: { labels }, spec: template.spec },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
        status: {
          observedGeneration: 1,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: ready,
          availableReplicas: ready,
          ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
          conditions: [
            {
              type: 'Available',
              status: ready > 0 ? 'True' : 'False',
              reason: ready > 0 ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
              message:
                ready > 0 ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
              lastUpdateTime: STARTED,
              lastTransitionTime: STARTED,
            },
          ],
        },
      },
    },
    {
      type: typeOf('replicasets', 'apps'),
      object: {
        metadata: metadata('ReplicaSet', replicaSet, namespace, podLabels, {
          ...ownedBy('apps/v1', 'Deployment', component, namespace),
          annotations: { 'deployment.kubernetes.io/revision': '1' },
        }),
        spec: { replicas, selector: { matchLabels: { ...selector, 'pod-template-hash': hash } }, template },
        status: {
          replicas,
          fullyLabeledReplicas: replicas,
          readyReplicas: ready,
          availableReplicas: ready,
          observedGeneration: 1,
        },
      },
    },
    {
      type: typeOf('services'),
      object: {
        metadata: metadata('Service', component, namespace, labels),
        spec: {
          type: 'ClusterIP',
          selector,
          clusterIP: `10.96.0.${(parseInt(uidOf(namespace, component).slice(0, 2), 16) % 250) + 2}`,
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
          sessionAffinity: 'None',
        },
        status: { loadBalancer: {} },
      },
    },
    {
      type: typeOf('horizontalpodautoscalers', 'autoscaling'),
      object: {
        metadata: metadata('HorizontalPodAutoscaler', component, namespace, labels),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: component },
          minReplicas: replicas,
          maxReplicas: replicas * 3,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          ],
        },
        status: { currentReplicas: replicas, desiredReplicas: replicas },
      },
    },
  ];
  for (let index = 0; index < replicas; index++) {
    const name = `${replicaSet}-${uidOf(replicaSet, String(index)).slice(0, 5)}`;
    const pod = podOf(
      workload,
      name,
      podLabels,
      ownedBy('apps/v1', 'ReplicaSet', replicaSet, namespace),
      index < ready,
    );
    objects.push({ type: typeOf('pods'), object: pod });
  }
  return objects;
}

function cronJobObjects(workload: Workload): StoredObject[] {
  const { component, namespace } = workload;
  const labels = { app: component, 'backstage.io/kubernetes-id': component };
  const job = `${component}-29400000`;
  const spec = {
    template: { metadata: { labels }, spec: { containers: [containerOf(workload)], restartPolicy: 'OnFailure' } },
  };
  return [
    {
      type: typeOf('cronjobs', 'batch'),
      object: {
        metadata: metadata('CronJob', component, namespace, labels),
        spec: {
          schedule: workload.schedule ?? '0 * * * *',
          concurrencyPolicy: 'Forbid',
          suspend: false,
          jobTemplate: { metadata: { labels }, spec },
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
        },
        status: { lastScheduleTime: STARTED, lastSuccessfulTime: STARTED },
      },
    },
    {
      type: typeOf('jobs', 'batch'),
      object: {
        metadata: metadata('Job', job, namespace, labels, ownedBy('batch/v1', 'CronJob', component, namespace)),
        spec: { ...spec, completions: 1, parallelism: 1, backoffLimit: 6 },
        status: { active: 1, startTime: STARTED },
      },
    },
    {
      type: typeOf('pods'),
      object: podOf(
        workload,
        `${job}-${uidOf(job).slice(0, 5)}`,
        labels,
        ownedBy('batch/v1', 'Job', job, namespace),
        true,
      ),
    },
  ];
}

/** PodMetrics (metrics.k8s.io/v1beta1) of a pod, as metrics-server reports it. */
function podMetricsOf(pod: StoredObject, usage: { cpu: string; memory: string }): StoredObject {
  const { name, namespace, labels } = pod.object.metadata;
  return {
    type: typeOf('pods', 'metrics.k8s.io'),
    object: {
      metadata: { name, namespace, creationTimestamp: '2026-12-01T12:00:00Z', ...(labels ? { labels } : {}) },
      timestamp: '2026-12-01T11:59:45Z',
      window: '15.012s',
      containers: [{ name: pod.object.metadata.labels?.app ?? name, usage }],
    },
  };
}

/** Every object of a seed's workloads, metrics included. */
export function objectsOf(workloads: readonly Workload[]): StoredObject[] {
  return workloads.flatMap(workload => {
    const objects = workload.kind === 'Deployment' ? deploymentObjects(workload) : cronJobObjects(workload);
    const usage = workload.usage ?? { cpu: '12m', memory: '48Mi' };
    const metrics = objects
      .filter(stored => stored.type.plural === 'pods' && stored.type.group === '')
      .filter(stored => (stored.object.status as { phase: string }).phase === 'Running')
      .map(pod => podMetricsOf(pod, usage));
    return [...objects, ...metrics];
  });
}
