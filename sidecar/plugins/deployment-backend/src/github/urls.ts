/**
 * URL handling for the GitHub client. Paths are appended to the base URL as
 * strings: `new URL('/repos/x', 'https://ghe.example/api/v3')` would drop the
 * GitHub Enterprise Server `/api/v3` prefix.
 */
import { InputError } from '@backstage/errors';

export type QueryValue = string | number | boolean | null | undefined;

/** `baseUrl` + `path` + query (undefined/null values left out). */
export function buildUrl(baseUrl: string, path: string, query?: Readonly<Record<string, QueryValue>>): string {
  if (!path.startsWith('/')) throw new Error(`GitHub API path must start with "/": ${path}`);
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  return url.href;
}

/** `Link: <url>; rel="next", …` → { next: url, … }. */
export function parseLinkHeader(header: string | undefined | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match?.[1] && match[2]) {
      for (const rel of match[2].split(/\s+/)) links[rel] = match[1];
    }
  }
  return links;
}

/** Whether `url` points at the same origin as the API base (so the credential may go there). */
export function sameOrigin(url: string, baseUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(baseUrl).origin;
  } catch {
    return false;
  }
}

/** Encodes each segment of "owner/name" and validates its shape. */
export function repoPath(repository: string): string {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(repository.trim());
  if (!match?.[1] || !match[2] || match[2] === '.' || match[2] === '..') {
    throw new InputError(`"${repository.slice(0, 150)}" is not a repository name of the form owner/name`);
  }
  return `/repos/${encodeURIComponent(match[1])}/${encodeURIComponent(match[2])}`;
}
