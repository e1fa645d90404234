/**
 * Orbit Jira plugin for the Backstage sidecar (pluginId `jira`).
 *
 * @packageDocumentation
 */

export { jiraPlugin as default } from './plugin';
export type { IssuesResponse } from './service/router';
export type { JiraIssueSummary } from './jira/response';
