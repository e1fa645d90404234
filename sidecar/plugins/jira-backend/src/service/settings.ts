import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import { JiraNotConfiguredError } from './errors';

/** Where and as whom the plugin calls Jira for one workspace. `apiToken` is SECRET. */
export interface JiraSite {
  /** Site URL without a trailing slash, e.g. `https://acme.atlassian.net`. */
  readonly baseUrl: string;
  readonly email: string;
  readonly apiToken: string;
}

const NOT_CONFIGURED = 'the workspace has not configured Jira';

/**
 * The workspace's Jira site from its plugin configuration (`config.base_url`,
 * `config.email`, `secrets.api_token`). Error messages name missing keys,
 * never values.
 */
export function jiraSiteFromSettings(settings: PluginSettings | undefined): JiraSite {
  const baseUrl = settings?.config.base_url?.trim() ?? '';
  const email = settings?.config.email?.trim() ?? '';
  const apiToken = settings?.secrets.api_token ?? '';
  const missing = [...(baseUrl ? [] : ['base_url']), ...(email ? [] : ['email']), ...(apiToken ? [] : ['api_token'])];
  if (missing.length > 0) {
    throw new JiraNotConfiguredError(`${NOT_CONFIGURED} (missing: ${missing.join(', ')})`);
  }
  return { baseUrl: parseBaseUrl(baseUrl), email, apiToken };
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new JiraNotConfiguredError(`${NOT_CONFIGURED}: base_url is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new JiraNotConfiguredError(`${NOT_CONFIGURED}: base_url must be an http(s) URL`);
  }
  // Credentials belong in email/api_token, where they are kept secret.
  if (url.username || url.password) {
    throw new JiraNotConfiguredError(`${NOT_CONFIGURED}: base_url must not contain credentials`);
  }
  if (url.search || url.hash) {
    throw new JiraNotConfiguredError(`${NOT_CONFIGURED}: base_url must not have a query or fragment`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
