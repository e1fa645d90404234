import type { JiraSeed } from './types';

/** Credentials of the demo site's service account (a workspace's Jira `email` and `api_token`). */
export const DEMO_JIRA_CREDENTIALS = {
  email: 'orbit-bot@acme.example',
  apiToken: 'ATATT3xDemoOrbitBotToken0001',
} as const;

/** Other demo accounts: an engineer (also an assignee) and a security lead who alone sees SEC. */
export const DEMO_JIRA_ACCOUNTS = {
  ada: { email: 'ada@acme.example', apiToken: 'ATATT3xDemoAdaToken0002' },
  grace: { email: 'grace@acme.example', apiToken: 'ATATT3xDemoGraceToken0003' },
} as const;

/**
 * Projects OPS (Operations, 6 issues) and PAY (Payments, 4 issues), visible to
 * everyone, and SEC (Security, 2 issues), visible only to grace. Statuses:
 * To Do, In Progress, In Review, Done; some issues are unassigned.
 */
export function demoJiraSeed(): JiraSeed {
  return {
    accounts: [
      { ...toSeed(DEMO_JIRA_CREDENTIALS), displayName: 'Orbit Bot' },
      { ...toSeed(DEMO_JIRA_ACCOUNTS.ada), displayName: 'Ada Lovelace' },
      { ...toSeed(DEMO_JIRA_ACCOUNTS.grace), displayName: 'Grace Hopper', utcOffsetMinutes: 60 },
    ],
    projects: [
      {
        key: 'OPS',
        name: 'Operations',
        issues: [
          {
            summary: 'Rotate the payment gateway keys',
            status: 'Done',
            assignee: 'ada@acme.example',
            created: '2026-01-05T09:15:00Z',
          },
          {
            summary: 'Move staging to the new cluster',
            status: 'In Progress',
            assignee: 'ada@acme.example',
            created: '2026-01-12T14:02:11Z',
          },
          {
            summary: 'Alert when a deployment waits for approval over an hour',
            status: 'To Do',
            assignee: null,
            created: '2026-01-20T08:45:30Z',
          },
          {
            summary: 'Runbook for rolling back checkout',
            status: 'In Review',
            assignee: 'grace@acme.example',
            created: '2026-02-02T16:20:00Z',
          },
          {
            summary: 'Raise the API gateway timeout to 30 s',
            status: 'To Do',
            assignee: 'grace@acme.example',
            created: '2026-02-09T10:00:00Z',
          },
          {
            summary: 'Clean up unused staging databases',
            status: 'To Do',
            assignee: null,
            created: '2026-02-15T11:11:11Z',
          },
        ],
      },
      {
        key: 'PAY',
        name: 'Payments',
        issues: [
          {
            summary: 'SEPA instant transfers',
            status: 'In Progress',
            assignee: 'ada@acme.example',
            created: '2026-01-08T09:00:00Z',
          },
          {
            summary: 'Retry card authorisation once on timeout',
            status: 'Done',
            assignee: 'grace@acme.example',
            created: '2026-01-15T13:30:00Z',
          },
          {
            summary: 'Show refunds in the customer history',
            status: 'To Do',
            assignee: null,
            created: '2026-02-01T07:05:00Z',
          },
          {
            summary: 'Reconcile payouts nightly',
            status: 'In Review',
            assignee: 'ada@acme.example',
            created: '2026-02-10T18:40:00Z',
          },
        ],
      },
      {
        key: 'SEC',
        name: 'Security',
        visibleTo: ['grace@acme.example'],
        issues: [
          {
            summary: 'Pen test findings, January',
            status: 'In Progress',
            assignee: 'grace@acme.example',
            created: '2026-01-30T12:00:00Z',
          },
          {
            summary: 'Enforce SSO for the admin console',
            status: 'To Do',
            assignee: null,
            created: '2026-02-12T09:30:00Z',
          },
        ],
      },
    ],
  };
}

function toSeed(credentials: { email: string; apiToken: string }) {
  return { email: credentials.email, apiTokens: [credentials.apiToken] };
}
