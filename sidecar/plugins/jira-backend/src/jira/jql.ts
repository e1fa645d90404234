/** A JQL string literal: double quotes, with `"` and `\` escaped. */
export function jqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, c => `\\${c}`)}"`;
}

/** The issues of a project, optionally in one status, newest first. */
export function projectIssuesJql(projectKey: string, status?: string): string {
  const clauses = [`project = ${jqlString(projectKey)}`];
  if (status !== undefined) clauses.push(`status = ${jqlString(status)}`);
  return `${clauses.join(' AND ')} ORDER BY created DESC`;
}
