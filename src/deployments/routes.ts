/**
 * Paths of the deployment plugin's routes (see plugin-api.ts), below its base path.
 * Every name that becomes a path segment is percent-encoded, so no value can add a
 * segment, a query or a fragment, or climb out with "." / "..", whatever validation
 * let through.
 */
function segment(value: string): string {
  if (value === "") throw new Error("a path segment must not be empty");
  // encodeURIComponent keeps dots; a segment of dots only would be a relative path step.
  return /^\.+$/.test(value) ? value.replace(/\./g, "%2E") : encodeURIComponent(value);
}

export const deploymentRoutes = {
  services: () => "/services",
  environments: (service: string) => `/services/${segment(service)}/environments`,
  environment: (service: string, environment: string) => `/services/${segment(service)}/environments/${segment(environment)}`,
  workflows: () => "/workflows",
  versions: (service: string) => `/services/${segment(service)}/versions`,
  deployments: (service: string, environment: string) => `${deploymentRoutes.environment(service, environment)}/deployments`,
  pipeline: (service: string) => `/services/${segment(service)}/pipeline`,
  reviews: (service: string, environment: string) => `${deploymentRoutes.environment(service, environment)}/reviews`,
  history: (service: string) => `/services/${segment(service)}/history`,
  rollbacks: (service: string, environment: string) => `${deploymentRoutes.environment(service, environment)}/rollbacks`,
  pullRequests: () => "/pull-requests",
} as const;

/** Route of the jira plugin (below /api/jira). */
export const jiraRoutes = {
  issues: () => "/issues",
} as const;

/**
 * A query with the empty values left out (the plugins read "absent" and "" alike as
 * "not given") and sorted by name, so equal requests share one cache entry.
 */
export function queryOf(params: Readonly<Record<string, string | number | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== "")
      .map(([name, value]) => [name, String(value)] as [string, string])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
