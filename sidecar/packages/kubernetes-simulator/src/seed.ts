import type { KubernetesSimulatorOptions } from './index';

/** Two clusters with different service-account tokens and workloads, so tests can tell two workspaces apart. */
export const KUBERNETES_SEEDS: Readonly<Record<string, KubernetesSimulatorOptions>> = {
  acme: {
    token: 'eyJhbGciOiJSUzI1NiJ9.acme-orbit-reader.c2lnbmF0dXJlLWFjbWU',
    workloads: [
      {
        component: 'checkout',
        namespace: 'shop',
        kind: 'Deployment',
        image: 'registry.acme.example/checkout:1.14.2',
        replicas: 3,
        usage: { cpu: '37m', memory: '91Mi' },
      },
      {
        component: 'payments',
        namespace: 'payments',
        kind: 'Deployment',
        image: 'registry.acme.example/payments:3.0.1',
        replicas: 2,
        readyReplicas: 1,
      },
    ],
  },
  globex: {
    token: 'eyJhbGciOiJSUzI1NiJ9.globex-orbit-reader.c2lnbmF0dXJlLWdsb2JleA',
    workloads: [
      {
        component: 'checkout',
        namespace: 'store',
        kind: 'Deployment',
        image: 'ghcr.io/globex/checkout:0.9.0',
        replicas: 2,
        usage: { cpu: '5m', memory: '30Mi' },
      },
      {
        component: 'inventory',
        namespace: 'store',
        kind: 'CronJob',
        image: 'ghcr.io/globex/inventory:2.1.0',
        schedule: '*/15 * * * *',
      },
    ],
  },
};
