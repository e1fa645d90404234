/**
 * Orbit Jira plugin for the Backstage sidecar (pluginId `jira`).
 *
 * @packageDocumentation
 */

export { jiraPlugin as default } from './plugin';
export { type JiraRestRoutesExtensionPoint, jiraRestRoutesExtensionPoint } from './extensions';
export type { IssuesResponse, JiraIssueSummary } from '@internal/plugin-jira-common';
