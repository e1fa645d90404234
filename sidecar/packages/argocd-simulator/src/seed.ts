import type { ArgoApplicationSeed, ArgoCdSimulatorOptions } from './index';

const app = (seed: ArgoApplicationSeed) => seed;

/**
 * Two Argo CD servers with different tokens and applications, so tests can
 * give two workspaces different settings and tell their answers apart. Both
 * have an application `checkout`, in different states.
 */
export const ARGOCD_SEEDS: Readonly<Record<string, ArgoCdSimulatorOptions>> = {
  acme: {
    token: 'argocd-acme-0000000000000000000000000000000001',
    applications: [
      app({
        name: 'checkout',
        project: 'default',
        labels: { 'backstage-name': 'checkout', team: 'shop' },
        repoURL: 'https://git.acme.example/shop/checkout.git',
        path: 'deploy/prod',
        destinationNamespace: 'checkout',
        sync: 'Synced',
        health: 'Healthy',
        history: [
          {
            revision: '2f1a9c04b6d3e8a7f5c2b1d0e9f8a7b6c5d4e3f2',
            deployedAt: '2026-11-30T10:00:00Z',
            author: 'Ada Lovelace <ada@acme.example>',
            message: 'checkout: raise the cart limit',
          },
          {
            revision: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
            deployedAt: '2026-11-28T09:15:00Z',
            author: 'Alan Turing <alan@acme.example>',
            message: 'checkout: first release',
          },
        ],
        resources: [
          { kind: 'Service', version: 'v1', name: 'checkout', status: 'Synced', health: 'Healthy' },
          { group: 'apps', kind: 'Deployment', version: 'v1', name: 'checkout', status: 'Synced', health: 'Healthy' },
        ],
        images: ['registry.acme.example/checkout:1.4.2'],
      }),
      app({
        name: 'payments',
        project: 'finance',
        labels: { 'backstage-name': 'payments', team: 'finance' },
        repoURL: 'https://git.acme.example/finance/payments.git',
        path: 'deploy/prod',
        destinationNamespace: 'payments',
        sync: 'OutOfSync',
        health: 'Degraded',
        history: [
          {
            revision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
            deployedAt: '2026-11-29T08:30:00Z',
            author: 'Grace Hopper <grace@acme.example>',
            message: 'payments: secret rotation',
          },
        ],
        resources: [
          {
            group: 'apps',
            kind: 'Deployment',
            version: 'v1',
            name: 'payments',
            status: 'OutOfSync',
            health: 'Degraded',
          },
        ],
        images: ['registry.acme.example/payments:7.0.0'],
      }),
    ],
  },
  globex: {
    token: 'argocd-globex-000000000000000000000000000000002',
    applications: [
      app({
        name: 'checkout',
        project: 'default',
        labels: { 'backstage-name': 'checkout', team: 'web' },
        repoURL: 'https://git.globex.example/web/checkout.git',
        path: 'k8s',
        destinationNamespace: 'web',
        sync: 'OutOfSync',
        health: 'Progressing',
        history: [
          {
            revision: '0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ff',
            deployedAt: '2026-10-01T12:00:00Z',
            author: 'Hank Scorpio <hank@globex.example>',
            message: 'checkout: globex storefront',
          },
        ],
        resources: [
          {
            group: 'apps',
            kind: 'Deployment',
            version: 'v1',
            name: 'checkout',
            status: 'OutOfSync',
            health: 'Progressing',
          },
        ],
        images: ['registry.globex.example/checkout:0.9.0'],
      }),
      app({
        name: 'inventory',
        project: 'default',
        labels: { 'backstage-name': 'inventory', team: 'web' },
        repoURL: 'https://git.globex.example/web/inventory.git',
        path: 'k8s',
        destinationNamespace: 'web',
        sync: 'Synced',
        health: 'Healthy',
        history: [
          {
            revision: 'feedfacefeedfacefeedfacefeedfacefeedface',
            deployedAt: '2026-10-02T12:00:00Z',
            author: 'Hank Scorpio <hank@globex.example>',
            message: 'inventory: initial',
          },
        ],
        resources: [
          { group: 'apps', kind: 'Deployment', version: 'v1', name: 'inventory', status: 'Synced', health: 'Healthy' },
        ],
        images: ['registry.globex.example/inventory:2.1.0'],
      }),
    ],
  },
};
