/**
 * Shared by the GitHub client and provider tests (not used at runtime):
 * a capturing logger, workspace contexts shaped like the real ones, and an
 * RSA key pair for GitHub App tests.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { PluginSettings, WorkspaceContext } from '@internal/plugin-workspace-isolation-node';

export interface CapturingLogger {
  logger: LoggerService;
  lines: Array<{ level: string; message: string; meta?: unknown }>;
  /** Everything logged, serialised, to search for leaked secrets. */
  dump(): string;
}

export function captureLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  const make = (fields: Record<string, unknown>): LoggerService => {
    const push = (level: string) => (message: string, meta?: unknown) => {
      lines.push({ level, message, meta: meta === undefined ? fields : { ...fields, meta } });
    };
    return {
      error: push('error'),
      warn: push('warn'),
      info: push('info'),
      debug: push('debug'),
      child: meta => make({ ...fields, ...meta }),
    };
  };
  return { logger: make({}), lines, dump: () => JSON.stringify(lines) };
}

/** A workspace context like the isolation layer builds: secrets are non-enumerable. */
export function workspaceContext(options: {
  githubToken?: string;
  settings?: { config?: Record<string, string>; secrets?: Record<string, string> };
  workspaceId?: string;
}): WorkspaceContext {
  const context = { workspaceId: options.workspaceId ?? 'ws-test', userId: 'user-test' };
  if (options.githubToken !== undefined) {
    Object.defineProperty(context, 'githubToken', { value: options.githubToken, enumerable: false });
  }
  if (options.settings) {
    const settings: PluginSettings = { config: options.settings.config ?? {}, secrets: options.settings.secrets ?? {} };
    Object.defineProperty(context, 'pluginSettings', { value: settings, enumerable: false });
  }
  return context as WorkspaceContext;
}

let keys: { privateKeyPem: string; publicKeyPem: string } | undefined;

/** One RSA key pair per test process; the private key in PKCS#1 PEM, as GitHub hands it out. */
export function appKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  if (!keys) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      privateKeyPem: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  return keys;
}

/** Resolves once `predicate` holds, checking after each event-loop turn (bounded). */
export async function until(predicate: () => boolean, what: string, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i += 1) {
    if (predicate()) return;
    await new Promise<void>(resolve => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}
