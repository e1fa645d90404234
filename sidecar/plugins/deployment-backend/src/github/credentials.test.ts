import { InputError, NotAllowedError } from '@backstage/errors';
import { createGitHubSimulator, demoSeed, type GitHubSimulator, type SimulatorSeed } from '@orbit-idp/github-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppInstallationTokens } from './appInstallationTokens';
import { DEFAULT_GITHUB_API_URL, NO_WORKSPACE_CREDENTIAL_MESSAGE, resolveProviderAccess } from './credentials';
import { GitHubCredentialMissingError } from './errors';
import { createGitHubClient } from './GitHubClient';
import { appKeyPair, workspaceContext } from './testHelpers';

const APP_ID = 777001;
const INSTALLATION_ID = 51;
const NARROW_INSTALLATION_ID = 52;
const MINT = 'POST /app/installations/{installation_id}/access_tokens';

function seedWithApp(): SimulatorSeed {
  return {
    ...demoSeed(),
    apps: [
      {
        id: APP_ID,
        slug: 'orbit-deployer',
        name: 'Orbit Deployer',
        owner: 'acme',
        publicKey: appKeyPair().publicKeyPem,
        installations: [
          {
            id: INSTALLATION_ID,
            account: 'acme',
            permissions: { actions: 'write', contents: 'read', deployments: 'read', pull_requests: 'read' },
          },
          {
            id: NARROW_INSTALLATION_ID,
            account: 'acme',
            repositories: ['payments'],
            permissions: { contents: 'read' },
          },
        ],
      },
    ],
  };
}

const appSettings = (installationId = INSTALLATION_ID, privateKey = appKeyPair().privateKeyPem, apiUrl?: string) => ({
  config: {
    github_app_id: String(APP_ID),
    github_app_installation_id: String(installationId),
    ...(apiUrl ? { github_api_url: apiUrl } : {}),
  },
  secrets: { github_app_private_key: privateKey },
});

describe('resolveProviderAccess', () => {
  it('uses the user’s own token first, with a hashed identity and no token in its serialisation', async () => {
    const context = workspaceContext({
      githubToken: 'ghp_user_secret_token',
      settings: { secrets: { github_token: 'ghp_workspace_secret' } },
    });
    const access = resolveProviderAccess({ context, purpose: 'write' });
    expect(access.baseUrl).toBe(DEFAULT_GITHUB_API_URL);
    expect(access.credential.kind).toBe('user');
    expect(access.credential.identity).toMatch(/^user:[0-9a-f]{16}$/);
    expect(await access.credential.authorization()).toBe('Bearer ghp_user_secret_token');
    expect(JSON.stringify(access)).not.toContain('ghp_user_secret_token');
  });

  it('falls back to the workspace token, then to the workspace App', () => {
    const token = resolveProviderAccess({
      context: workspaceContext({ settings: { secrets: { github_token: 'ghp_workspace_secret' } } }),
      purpose: 'read',
    });
    expect(token.credential.kind).toBe('token');
    expect(token.credential.identity).toMatch(/^token:[0-9a-f]{16}$/);
    expect(token.credential.identity).not.toBe(
      resolveProviderAccess({ context: workspaceContext({ githubToken: 'ghp_workspace_secret' }), purpose: 'read' })
        .credential.identity,
    );

    const app = resolveProviderAccess({ context: workspaceContext({ settings: appSettings() }), purpose: 'read' });
    expect(app.credential.kind).toBe('app');
    expect(app.credential.identity).toBe(`app:${APP_ID}:${INSTALLATION_ID}`);
  });

  it('requires the user’s own token for reviews, whatever the workspace has', async () => {
    const call = () =>
      resolveProviderAccess({
        context: workspaceContext({ settings: { secrets: { github_token: 'ghp_workspace_secret' } } }),
        purpose: 'review',
      });
    expect(call).toThrow(GitHubCredentialMissingError);
    expect(call).toThrow(/your own GitHub token/);
    const review = resolveProviderAccess({
      context: workspaceContext({ githubToken: 'ghp_reviewer' }),
      purpose: 'review',
    });
    expect(review.credential.kind).toBe('user');
  });

  it('without any credential throws GitHubCredentialMissingError (for a 412)', () => {
    const call = () =>
      resolveProviderAccess({ context: workspaceContext({ settings: { config: {}, secrets: {} } }), purpose: 'read' });
    expect(call).toThrow(GitHubCredentialMissingError);
    expect(call).toThrow(NO_WORKSPACE_CREDENTIAL_MESSAGE);
    expect(() => resolveProviderAccess({ context: workspaceContext({}), purpose: 'read' })).toThrow(
      GitHubCredentialMissingError,
    );
  });

  it('names the missing keys of an incomplete App configuration, never the key itself', () => {
    const key = appKeyPair().privateKeyPem;
    let error: unknown;
    try {
      resolveProviderAccess({
        context: workspaceContext({
          settings: { config: { github_app_id: '1' }, secrets: { github_app_private_key: key } },
        }),
        purpose: 'read',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GitHubCredentialMissingError);
    expect((error as Error).message).toContain('github_app_installation_id');
    expect((error as Error).message).not.toContain('github_app_id,');
    expect((error as Error).message).not.toContain('PRIVATE KEY');
  });

  it('takes the base URL from the environment, else the workspace, else the default, else api.github.com', () => {
    const context = workspaceContext({
      githubToken: 't0ken_value',
      settings: { config: { github_api_url: 'https://ghe.example/api/v3/' } },
    });
    const resolve = (environmentBaseUrl?: string | null, defaultBaseUrl?: string, ctx = context) =>
      resolveProviderAccess({ context: ctx, purpose: 'read', environmentBaseUrl, defaultBaseUrl }).baseUrl;
    expect(resolve('https://other.example/api/v3')).toBe('https://other.example/api/v3');
    expect(resolve(null)).toBe('https://ghe.example/api/v3');
    expect(resolve('')).toBe('https://ghe.example/api/v3');
    const bare = workspaceContext({ githubToken: 't0ken_value' });
    expect(resolve(undefined, 'http://127.0.0.1:9999', bare)).toBe('http://127.0.0.1:9999');
    expect(resolve(undefined, undefined, bare)).toBe('https://api.github.com');
    expect(resolve('https://github.com/', undefined, bare)).toBe('https://api.github.com');
    expect(() => resolve('ftp://ghe.example')).toThrow(InputError);
    expect(() => resolve('not a url')).toThrow(InputError);
    expect(() => resolve('https://user:pass@ghe.example/api/v3')).toThrow(InputError);
  });
});

describe('GitHub App credentials against the simulator', () => {
  let sim: GitHubSimulator;
  let ghes: GitHubSimulator;
  const client = createGitHubClient();

  beforeAll(async () => {
    [sim, ghes] = await Promise.all([
      createGitHubSimulator({ seed: seedWithApp() }),
      createGitHubSimulator({ seed: seedWithApp(), ghesVersion: '3.19' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([sim?.close(), ghes?.close()]);
  });

  const mints = (s: GitHubSimulator) =>
    s.control.requestLog().filter(e => e.endpoint === MINT && e.status === 201).length;

  it('mints one installation token for concurrent and later calls, and acts as the installation', async () => {
    const appTokens = new AppInstallationTokens();
    const access = resolveProviderAccess({
      context: workspaceContext({ settings: appSettings() }),
      purpose: 'read',
      defaultBaseUrl: sim.apiUrl,
      appTokens,
    });
    const before = mints(sim);
    const headers = await Promise.all(Array.from({ length: 5 }, () => access.credential.authorization()));
    expect(new Set(headers).size).toBe(1);
    expect(headers[0]).toMatch(/^Bearer ghs_/);
    const repo = await client.request<{ full_name: string }>(access, { path: '/repos/acme/checkout' });
    expect(repo.data.full_name).toBe('acme/checkout');
    await client.request(access, { path: '/repos/acme/checkout/tags' });
    expect(mints(sim) - before).toBe(1);
    expect(sim.control.counters().byIdentity[`installation:${INSTALLATION_ID}`]).toBeGreaterThanOrEqual(2);
  });

  it('renews the token shortly before it expires', async () => {
    let now = Date.now();
    const appTokens = new AppInstallationTokens({ now: () => now, renewBeforeMs: 5 * 60_000 });
    const access = resolveProviderAccess({
      context: workspaceContext({ settings: appSettings() }),
      purpose: 'read',
      defaultBaseUrl: sim.apiUrl,
      appTokens,
    });
    const before = mints(sim);
    const first = await access.credential.authorization();
    now += 50 * 60_000;
    expect(await access.credential.authorization()).toBe(first);
    now += 6 * 60_000; // 56 minutes: within 5 minutes of the one-hour expiry
    const renewed = await access.credential.authorization();
    expect(renewed).not.toBe(first);
    expect(mints(sim) - before).toBe(2);
  });

  it('mints a new token when GitHub no longer accepts the cached one (401 → one retry)', async () => {
    const seed = seedWithApp();
    const local = await createGitHubSimulator({ seed });
    try {
      const access = resolveProviderAccess({
        context: workspaceContext({ settings: appSettings() }),
        purpose: 'read',
        defaultBaseUrl: local.apiUrl,
        appTokens: new AppInstallationTokens(),
      });
      await client.request(access, { path: '/repos/acme/checkout' });
      local.control.reset(); // forgets every installation token it issued
      const again = await client.request<{ full_name: string }>(access, { path: '/repos/acme/payments' });
      expect(again.data.full_name).toBe('acme/payments');
      expect(mints(local)).toBe(1); // the log was reset too: this is the second mint
    } finally {
      await local.close();
    }
  });

  it('sends the token exchange to the GHES /api/v3 base URL', async () => {
    const access = resolveProviderAccess({
      context: workspaceContext({ settings: appSettings(INSTALLATION_ID, undefined, ghes.apiUrl) }),
      purpose: 'read',
      appTokens: new AppInstallationTokens(),
    });
    expect(access.baseUrl).toBe(ghes.apiUrl);
    const repo = await client.request<{ full_name: string }>(access, { path: '/repos/acme/checkout' });
    expect(repo.data.full_name).toBe('acme/checkout');
    expect(mints(ghes)).toBeGreaterThanOrEqual(1);
  });

  it('a narrow installation gets NotAllowedError for what it may not do', async () => {
    const access = resolveProviderAccess({
      context: workspaceContext({ settings: appSettings(NARROW_INSTALLATION_ID) }),
      purpose: 'write',
      defaultBaseUrl: sim.apiUrl,
      appTokens: new AppInstallationTokens(),
    });
    const error = await client
      .request(access, {
        method: 'POST',
        path: '/repos/acme/payments/actions/workflows/deploy.yml/dispatches',
        body: { ref: 'main', inputs: { version: 'v2.0.0', environment: 'staging' } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAllowedError);
    expect((error as Error).message).toContain('Resource not accessible by integration');
  });

  it('a key GitHub does not accept, or no key at all, is a credential problem that never quotes the key', async () => {
    const wrongKey = (await import('node:crypto'))
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const privateKey of [
      wrongKey,
      '-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----',
    ]) {
      const access = resolveProviderAccess({
        context: workspaceContext({ settings: appSettings(INSTALLATION_ID, privateKey) }),
        purpose: 'read',
        defaultBaseUrl: sim.apiUrl,
        appTokens: new AppInstallationTokens(),
      });
      const error = await client.request(access, { path: '/repos/acme/checkout' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubCredentialMissingError);
      expect((error as Error).message).toContain(`GitHub App ${APP_ID}`);
      expect(String(error)).not.toContain('PRIVATE KEY');
      expect(String(error)).not.toContain(privateKey.split('\n')[1]);
    }
  });
});
