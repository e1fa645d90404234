import type { JiraIssueSummary } from '@internal/plugin-jira-common';

/**
 * Jira's `created` (`2026-01-02T04:04:05.000+0100`, the offset without a
 * colon) → RFC 3339 UTC (`2026-01-02T03:04:05Z`). Undefined if unreadable.
 */
export function toRfc3339(created: string): string | undefined {
  const normalised = created.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(normalised)) return undefined;
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z');
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body of Jira's enhanced search → issues, or undefined when it is not that shape. */
export function parseSearchResponse(body: string): JiraIssueSummary[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !Array.isArray(parsed.issues)) return undefined;
  const issues: JiraIssueSummary[] = [];
  for (const issue of parsed.issues) {
    if (!isObject(issue) || typeof issue.key !== 'string' || !isObject(issue.fields)) return undefined;
    const { summary, status, assignee, created } = issue.fields;
    if (
      typeof summary !== 'string' ||
      !isObject(status) ||
      typeof status.name !== 'string' ||
      typeof created !== 'string'
    )
      return undefined;
    if (
      assignee !== null &&
      assignee !== undefined &&
      !(isObject(assignee) && typeof assignee.displayName === 'string')
    )
      return undefined;
    const createdAt = toRfc3339(created);
    if (!createdAt) return undefined;
    issues.push({
      key: issue.key,
      summary,
      status: status.name,
      assignee: isObject(assignee) ? (assignee.displayName as string) : null,
      createdAt,
    });
  }
  return issues;
}
