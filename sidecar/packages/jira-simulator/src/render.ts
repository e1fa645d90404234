/** Jira Cloud REST v3 JSON shapes built from the simulator's state. */
import type { AccountRec, IssueRec, ProjectRec, StatusRec } from './state';

/** Every field the simulator knows, as `fields=*all` / `*navigable` return them. */
export const KNOWN_FIELDS = ['summary', 'status', 'assignee', 'created', 'project'] as const;

/** `2026-01-02T04:04:05.000+0100`: Jira's timestamp format, in the viewer's time zone. */
export function jiraTimestamp(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString().replace(/Z$/, '');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function avatarUrls(account: AccountRec) {
  const base = `https://secure.gravatar.com/avatar/${account.accountId.slice(-32)}?d=mm`;
  return { '48x48': `${base}&s=48`, '24x24': `${base}&s=24`, '16x16': `${base}&s=16`, '32x32': `${base}&s=32` };
}

export function userObject(account: AccountRec, site: string) {
  return {
    self: `${site}/rest/api/3/user?accountId=${encodeURIComponent(account.accountId)}`,
    accountId: account.accountId,
    emailAddress: account.email,
    avatarUrls: avatarUrls(account),
    displayName: account.displayName,
    active: account.active,
    timeZone: 'Etc/UTC',
    accountType: 'atlassian',
  };
}

export function statusObject(status: StatusRec, site: string) {
  return {
    self: `${site}/rest/api/3/status/${status.id}`,
    description: '',
    iconUrl: `${site}/images/icons/statuses/${status.icon}`,
    name: status.name,
    id: status.id,
    statusCategory: {
      self: `${site}/rest/api/3/statuscategory/${status.category.id}`,
      id: status.category.id,
      key: status.category.key,
      colorName: status.category.colorName,
      name: status.category.name,
    },
  };
}

/** An issue of the enhanced search: `id`, `key`, `self` and the requested `fields`. */
export function issueObject(issue: IssueRec, fields: ReadonlySet<string>, viewer: AccountRec, site: string) {
  const out: Record<string, unknown> = {};
  if (fields.has('summary')) out.summary = issue.summary;
  if (fields.has('status')) out.status = statusObject(issue.status, site);
  if (fields.has('assignee')) out.assignee = issue.assignee ? userObject(issue.assignee, site) : null;
  if (fields.has('created')) out.created = jiraTimestamp(issue.created, viewer.utcOffsetMinutes);
  if (fields.has('project')) {
    out.project = {
      self: `${site}/rest/api/3/project/${issue.project.id}`,
      id: String(issue.project.id),
      key: issue.project.key,
      name: issue.project.name,
      projectTypeKey: 'software',
      simplified: false,
    };
  }
  return {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: String(issue.id),
    self: `${site}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
    fields: out,
  };
}

/** A project as "Get project" answers it (without the `lead`, `issueTypes` and `components` expansions). */
export function projectObject(project: ProjectRec, site: string) {
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    self: `${site}/rest/api/3/project/${project.id}`,
    id: String(project.id),
    key: project.key,
    description: '',
    name: project.name,
    projectTypeKey: 'software',
    simplified: false,
    style: 'classic',
    isPrivate: project.visibleTo !== null,
    properties: {},
  };
}

/** Jira's error body. */
export const errorBody = (errorMessages: string[], errors: Record<string, string> = {}) => ({ errorMessages, errors });
