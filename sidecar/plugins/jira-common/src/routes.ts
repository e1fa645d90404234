import type { IssuesResponse } from './api.js';

/**
 * The Jira plugin's route table (below `/api/jira`): the plugin's router
 * registers these routes; the gateway derives its calls and the catalogue's
 * `endpoints` from them. Type imports only, so the gateway compiles it alone.
 */
export const jiraRoutes = {
  health: {
    method: 'GET',
    path: '/health',
    description: 'Plugin health.',
    exampleResponse: '{"status":"ok"}',
  },
  listIssues: {
    method: 'GET',
    path: '/issues',
    description: 'Issues of a project, newest first.',
    query: [
      { name: 'projectKey', required: true, description: 'Jira project key, e.g. OPS.' },
      { name: 'status', required: false, description: 'Only issues in this status.' },
    ],
    exampleResponse:
      '{"issues":[{"key":"OPS-1","summary":"Rotate keys","status":"To Do","assignee":"ada","createdAt":"2026-01-02T03:04:05Z"}]}',
  },
} as const;

export type JiraRouteName = keyof typeof jiraRoutes;

/** The 200 body of each route. */
export interface JiraResponses {
  health: { status: 'ok' };
  listIssues: IssuesResponse;
}
