import type { SonarQubeSimulatorOptions } from './index';

/**
 * Two SonarQube servers with different tokens and projects, so tests can give
 * two workspaces different settings and tell their answers apart.
 */
export const SONARQUBE_SEEDS: Readonly<Record<string, SonarQubeSimulatorOptions>> = {
  acme: {
    token: 'squ_acme0000000000000000000000000000000001',
    projects: [
      {
        key: 'checkout',
        name: 'Checkout',
        analysisDate: '2026-11-30T10:00:00+0000',
        measures: {
          alert_status: 'OK',
          bugs: '3',
          vulnerabilities: '0',
          code_smells: '41',
          coverage: '81.5',
          duplicated_lines_density: '2.1',
          reliability_rating: '3.0',
          security_rating: '1.0',
          sqale_rating: '1.0',
        },
      },
      {
        key: 'payments',
        name: 'Payments',
        analysisDate: '2026-11-29T08:30:00+0000',
        measures: { alert_status: 'ERROR', bugs: '12', vulnerabilities: '2', code_smells: '120', coverage: '55.0' },
      },
    ],
  },
  globex: {
    token: 'squ_globex00000000000000000000000000000002',
    projects: [
      {
        key: 'checkout',
        name: 'Globex Checkout',
        analysisDate: '2026-10-01T12:00:00+0000',
        measures: { alert_status: 'WARN', bugs: '7', vulnerabilities: '1', code_smells: '9', coverage: '64.2' },
      },
      {
        key: 'inventory',
        name: 'Inventory',
        analysisDate: '2026-10-02T12:00:00+0000',
        measures: { alert_status: 'OK', bugs: '0', coverage: '90.0' },
      },
    ],
  },
};
