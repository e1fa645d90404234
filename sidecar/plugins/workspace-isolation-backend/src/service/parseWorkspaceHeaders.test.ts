import { describe, expect, it } from 'vitest';
import { InputError } from '@backstage/errors';
import { createWorkspaceContext, parseWorkspaceHeaders } from './parseWorkspaceHeaders';

describe('parseWorkspaceHeaders', () => {
  it('returns the workspace, user and GitHub token', () => {
    const context = parseWorkspaceHeaders({
      'x-orbit-workspace-id': 'ws_1.a:b-c',
      'x-orbit-user-id': 'user-42',
      'x-orbit-github-token': 'ghp_abc123',
    });
    expect(context.workspaceId).toBe('ws_1.a:b-c');
    expect(context.userId).toBe('user-42');
    expect(context.githubToken).toBe('ghp_abc123');
  });

  it('treats user and GitHub token as optional', () => {
    const context = parseWorkspaceHeaders({ 'x-orbit-workspace-id': 'ws1' });
    expect(context).toEqual({ workspaceId: 'ws1', userId: null });
    expect(context.githubToken).toBeUndefined();
  });

  it('accepts ids of 1 and 128 characters', () => {
    expect(parseWorkspaceHeaders({ 'x-orbit-workspace-id': 'a' }).workspaceId).toBe('a');
    const longest = `a${'b'.repeat(127)}`;
    expect(parseWorkspaceHeaders({ 'x-orbit-workspace-id': longest }).workspaceId).toBe(longest);
  });

  it('rejects a missing workspace id', () => {
    expect(() => parseWorkspaceHeaders({})).toThrow(InputError);
    expect(() => parseWorkspaceHeaders({})).toThrow(/Missing X-Orbit-Workspace-Id/);
  });

  it.each([
    ['empty', ''],
    ['leading dot', '.ws'],
    ['leading dash', '-ws'],
    ['space', 'ws 1'],
    ['slash', 'ws/1'],
    ['comma-joined duplicates', 'ws1, ws2'],
    ['non-ASCII', 'wś1'],
    ['129 characters', `a${'b'.repeat(128)}`],
  ])('rejects a malformed workspace id (%s) without echoing it', (_, value) => {
    let error: unknown;
    try {
      parseWorkspaceHeaders({ 'x-orbit-workspace-id': value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/Malformed X-Orbit-Workspace-Id/);
    if (value.length > 1) {
      expect((error as Error).message).not.toContain(value);
    }
  });

  it('rejects a header sent as several values', () => {
    expect(() => parseWorkspaceHeaders({ 'x-orbit-workspace-id': ['ws1', 'ws2'] as any })).toThrow(/only once/);
  });

  it('rejects a malformed user id', () => {
    expect(() =>
      parseWorkspaceHeaders({
        'x-orbit-workspace-id': 'ws1',
        'x-orbit-user-id': 'bad user',
      }),
    ).toThrow(/Malformed X-Orbit-User-Id/);
  });

  it('rejects a malformed GitHub token without echoing it', () => {
    const token = 'ghp_has whitespace';
    expect(() =>
      parseWorkspaceHeaders({
        'x-orbit-workspace-id': 'ws1',
        'x-orbit-github-token': token,
      }),
    ).toThrow(new InputError('Malformed X-Orbit-GitHub-Token header'));
  });
});

describe('plugin settings (X-Orbit-Plugin-Config)', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('decodes config and secrets and hides them from serialisation', () => {
    const context = parseWorkspaceHeaders({
      'x-orbit-workspace-id': 'ws1',
      'x-orbit-plugin-config': encode({
        config: { github_api_url: 'https://ghe.example/api/v3' },
        secrets: { github_token: 'ghp_settingsecret' },
      }),
    });
    expect(context.pluginSettings).toEqual({
      config: { github_api_url: 'https://ghe.example/api/v3' },
      secrets: { github_token: 'ghp_settingsecret' },
    });
    expect(JSON.stringify(context)).not.toContain('ghp_settingsecret');
    expect(Object.keys(context)).toEqual(['workspaceId', 'userId']);
  });

  it.each([
    ['not base64url', '%%%'],
    ['not JSON', Buffer.from('ghp_x{').toString('base64url')],
    ['non-string values', encode({ config: { a: 1 }, secrets: {} })],
    ['missing secrets', encode({ config: {} })],
    ['an array', encode([])],
  ])('rejects %s without echoing the value', (_label, raw) => {
    let message = '';
    try {
      parseWorkspaceHeaders({
        'x-orbit-workspace-id': 'ws1',
        'x-orbit-plugin-config': raw,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Malformed X-Orbit-Plugin-Config header/);
    expect(message).not.toContain(raw);
  });
});

describe('createWorkspaceContext', () => {
  it('hides the GitHub token from serialisation, spreading and key listing', () => {
    const context = createWorkspaceContext({
      workspaceId: 'ws1',
      userId: 'u1',
      githubToken: 'ghp_supersecret',
    });
    expect(context.githubToken).toBe('ghp_supersecret');
    expect(JSON.stringify(context)).not.toContain('ghp_supersecret');
    expect({ ...context }).toEqual({ workspaceId: 'ws1', userId: 'u1' });
    expect(Object.keys(context)).toEqual(['workspaceId', 'userId']);
    expect(Object.isFrozen(context)).toBe(true);
  });
});
