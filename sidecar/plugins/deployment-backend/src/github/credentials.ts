/**
 * Which GitHub credential acts for a request, and where GitHub's API is.
 *
 * `resolveProviderAccess({ context, purpose, defaultBaseUrl?, environmentBaseUrl?, appTokens? })`
 * returns the `ProviderAccess` of a request (synchronously; App tokens are minted lazily by
 * `credential.authorization()`):
 *
 * Credential, first match wins:
 * 1. the user's own token (`context.githubToken`, forwarded by Orbit), so users act with
 *    exactly their GitHub permissions — identity `user:<sha256 prefix>`;
 * 2. for `purpose: 'review'` nothing else: approvals and rejections always use the
 *    reviewer's own token → `GitHubCredentialMissingError` (412) without it;
 * 3. the workspace's `secrets.github_token` — identity `token:<sha256 prefix>`;
 * 4. the workspace's GitHub App: `config.github_app_id`, `config.github_app_installation_id`,
 *    `secrets.github_app_private_key` (installation tokens via `@octokit/auth-app`, cached
 *    until shortly before expiry in `appTokens`, default one process-wide cache) —
 *    identity `app:<appId>:<installationId>`. An incomplete App configuration names the
 *    missing keys;
 * 5. otherwise `GitHubCredentialMissingError`.
 * When a workspace configures both a token and an App, the token is used.
 *
 * Base URL: `environmentBaseUrl ?? config.github_api_url ?? defaultBaseUrl ??
 * https://api.github.com` (empty strings count as unset), which must be an http(s) URL without
 * user info, query or fragment; trailing slashes are removed and `https://github.com` becomes
 * `https://api.github.com`. A GHES URL must include `/api/v3` — it is kept as given.
 * The user's token is assumed to belong to that same GitHub (Orbit forwards the token of the
 * GitHub the workspace uses).
 *
 * `purpose: 'read' | 'write'` resolve the same way today; they are kept so that a route states
 * what it does and a stricter policy can follow.
 */
import { createHash } from 'node:crypto';
import { InputError } from '@backstage/errors';
import type { WorkspaceContext } from '@internal/plugin-workspace-isolation-node';
import type { ProviderAccess, ProviderCredential } from '../provider/DeploymentProvider';
import { type AppInstallationTokens, sharedAppInstallationTokens, type GitHubAppKey } from './appInstallationTokens';
import { GitHubCredentialMissingError } from './errors';

export type AccessPurpose = 'read' | 'write' | 'review';

export interface ResolveProviderAccessOptions {
  context: WorkspaceContext;
  purpose: AccessPurpose;
  /** The backend's default API URL (e.g. from app-config). */
  defaultBaseUrl?: string;
  /** The environment's own `githubApiUrl`, when it has one. */
  environmentBaseUrl?: string | null;
  /** Installation-token cache; default one shared by the process. */
  appTokens?: AppInstallationTokens;
}

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

export const NO_WORKSPACE_CREDENTIAL_MESSAGE =
  'The workspace has not configured a GitHub token or App for the deployment plugin';

const present = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/** Validates and normalises a GitHub API base URL. */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InputError('The GitHub API URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError('The GitHub API URL must be an http or https URL');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError('The GitHub API URL must not carry credentials, a query or a fragment');
  }
  const normalized = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return normalized === 'https://github.com' || normalized === 'https://www.github.com'
    ? DEFAULT_GITHUB_API_URL
    : normalized;
}

const hashPrefix = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 16);

/** Header-safe token or a 412 (without echoing it). */
function usableToken(token: string, whose: string): string {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new GitHubCredentialMissingError(`${whose} GitHub token contains characters a token cannot have`);
  }
  return token;
}

function tokenCredential(kind: 'user' | 'token', token: string): ProviderCredential {
  const authorization = `Bearer ${token}`;
  return {
    kind,
    identity: `${kind}:${hashPrefix(token)}`,
    authorization: async () => authorization,
  };
}

function appCredential(app: GitHubAppKey, tokens: AppInstallationTokens): ProviderCredential {
  return {
    kind: 'app',
    identity: `app:${app.appId}:${app.installationId}`,
    authorization: async () => `Bearer ${await tokens.installationToken(app)}`,
    invalidate: () => tokens.invalidate(app),
    appAuthorization: async () => `Bearer ${await tokens.appJwt(app)}`,
  };
}

type Settings = WorkspaceContext['pluginSettings'];

function workspaceApp(settings: Settings, baseUrl: string): GitHubAppKey | undefined {
  const appId = present(settings?.config.github_app_id);
  const installationId = present(settings?.config.github_app_installation_id);
  const privateKey = present(settings?.secrets.github_app_private_key);
  if (!appId && !installationId && !privateKey) return undefined;
  const missing = [
    appId ? null : 'config github_app_id',
    installationId ? null : 'config github_app_installation_id',
    privateKey ? null : 'secret github_app_private_key',
  ].filter((name): name is string => name !== null);
  if (missing.length > 0 || !appId || !installationId || !privateKey) {
    throw new GitHubCredentialMissingError(
      `The workspace's GitHub App configuration for the deployment plugin is incomplete: missing ${missing.join(', ')}`,
    );
  }
  if (!/^\d+$/.test(appId) || !/^\d+$/.test(installationId)) {
    throw new GitHubCredentialMissingError(
      "The workspace's github_app_id and github_app_installation_id must be numbers (see the App's settings page on GitHub)",
    );
  }
  return { baseUrl, appId, installationId, privateKey };
}

export function resolveProviderAccess(options: ResolveProviderAccessOptions): ProviderAccess {
  const { context, purpose } = options;
  const settings = context.pluginSettings;
  const baseUrl = normalizeBaseUrl(
    present(options.environmentBaseUrl) ??
      present(settings?.config.github_api_url) ??
      present(options.defaultBaseUrl) ??
      DEFAULT_GITHUB_API_URL,
  );

  const userToken = present(context.githubToken);
  if (userToken) return { baseUrl, credential: tokenCredential('user', usableToken(userToken, 'Your')) };
  if (purpose === 'review') {
    throw new GitHubCredentialMissingError(
      'Approving or rejecting a deployment uses your own GitHub token, and this request carried none; connect your GitHub account in Orbit first',
    );
  }

  const workspaceToken = present(settings?.secrets.github_token);
  if (workspaceToken) {
    return { baseUrl, credential: tokenCredential('token', usableToken(workspaceToken, "The workspace's")) };
  }
  const app = workspaceApp(settings, baseUrl);
  if (app) return { baseUrl, credential: appCredential(app, options.appTokens ?? sharedAppInstallationTokens) };
  throw new GitHubCredentialMissingError(NO_WORKSPACE_CREDENTIAL_MESSAGE);
}
