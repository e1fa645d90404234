import type { IncomingHttpHeaders } from 'node:http';
import { InputError } from '@backstage/errors';
import {
  GITHUB_TOKEN_HEADER,
  ORBIT_ID_PATTERN,
  PLUGIN_SETTINGS_HEADER,
  USER_ID_HEADER,
  WORKSPACE_ID_HEADER,
  type PluginSettings,
  type WorkspaceContext,
} from '@internal/plugin-workspace-isolation-node';

/**
 * Loose sanity check for a forwarded GitHub token: 1 to 4096 visible ASCII
 * characters (no spaces or control characters). GitHub decides whether it is
 * valid; this only keeps garbage out of the plugins.
 */
const GITHUB_TOKEN_PATTERN = /^[\x21-\x7e]{1,4096}$/;

function readSingle(headers: IncomingHttpHeaders, name: string, displayName: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) {
    throw new InputError(`The ${displayName} header must be sent only once`);
  }
  return value;
}

function readOrbitId(headers: IncomingHttpHeaders, name: string, displayName: string): string | undefined {
  const value = readSingle(headers, name, displayName);
  if (value !== undefined && !ORBIT_ID_PATTERN.test(value)) {
    throw new InputError(`Malformed ${displayName} header, expected a value matching ${ORBIT_ID_PATTERN.source}`);
  }
  return value;
}

/**
 * Builds a frozen workspace context. The GitHub token is attached as a
 * non-enumerable property so that serialising or spreading the context (for
 * example into log metadata or a JSON response) never carries it.
 */
export function createWorkspaceContext(options: {
  workspaceId: string;
  userId?: string | null;
  githubToken?: string;
  pluginSettings?: PluginSettings;
}): WorkspaceContext {
  const context = {
    workspaceId: options.workspaceId,
    userId: options.userId ?? null,
  };
  for (const key of ['githubToken', 'pluginSettings'] as const) {
    if (options[key] !== undefined) {
      Object.defineProperty(context, key, {
        value: options[key],
        enumerable: false,
      });
    }
  }
  return Object.freeze(context);
}

/** 16 KiB of base64url: room for a GitHub App private key and more. */
const PLUGIN_SETTINGS_MAX_LENGTH = 16_384;

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(v => typeof v === 'string')
  );
}

/**
 * Decodes `X-Orbit-Plugin-Config` (base64url JSON `{config, secrets}`, both
 * string maps). The error message never quotes the value: it holds secrets.
 */
function parsePluginSettings(raw: string): PluginSettings {
  const malformed = () =>
    new InputError(
      'Malformed X-Orbit-Plugin-Config header, expected base64url JSON {"config":{...},"secrets":{...}} of strings',
    );
  if (raw.length > PLUGIN_SETTINGS_MAX_LENGTH || !/^[A-Za-z0-9_-]*$/.test(raw)) {
    throw malformed();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  const { config, secrets } = (parsed ?? {}) as Record<string, unknown>;
  if (!isStringRecord(config) || !isStringRecord(secrets)) throw malformed();
  return Object.freeze({
    config: Object.freeze({ ...config }),
    secrets: Object.freeze({ ...secrets }),
  });
}

/**
 * Validates the `X-Orbit-*` headers of a request and returns its workspace
 * context. Throws `InputError` (HTTP 400) when the workspace id is missing or
 * malformed, or when an optional header is present but malformed. Error
 * messages never contain the offending values.
 */
export function parseWorkspaceHeaders(headers: IncomingHttpHeaders): WorkspaceContext {
  const workspaceId = readOrbitId(headers, WORKSPACE_ID_HEADER, 'X-Orbit-Workspace-Id');
  if (workspaceId === undefined) {
    throw new InputError(
      'Missing X-Orbit-Workspace-Id header: every plugin request must name the Orbit workspace it acts in',
    );
  }

  const userId = readOrbitId(headers, USER_ID_HEADER, 'X-Orbit-User-Id');

  const githubToken = readSingle(headers, GITHUB_TOKEN_HEADER, 'X-Orbit-GitHub-Token');
  if (githubToken !== undefined && !GITHUB_TOKEN_PATTERN.test(githubToken)) {
    throw new InputError('Malformed X-Orbit-GitHub-Token header');
  }

  const rawSettings = readSingle(headers, PLUGIN_SETTINGS_HEADER, 'X-Orbit-Plugin-Config');
  const pluginSettings = rawSettings === undefined ? undefined : parsePluginSettings(rawSettings);

  return createWorkspaceContext({
    workspaceId,
    userId,
    githubToken,
    pluginSettings,
  });
}
