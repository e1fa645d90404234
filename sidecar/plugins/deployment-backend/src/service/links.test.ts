import { describe, expect, it } from 'vitest';
import { githubWebBaseUrl, workflowRunsUrl } from './links';

describe('GitHub web links from the API base URL', () => {
  it('maps api.github.com to github.com', () => {
    expect(githubWebBaseUrl('https://api.github.com')).toBe('https://github.com');
    expect(githubWebBaseUrl('https://api.github.com/')).toBe('https://github.com');
  });

  it('drops the /api/v3 prefix of GitHub Enterprise Server', () => {
    expect(githubWebBaseUrl('https://ghe.example/api/v3')).toBe('https://ghe.example');
    expect(workflowRunsUrl('https://ghe.example/api/v3/', 'acme/checkout', 'deploy.yml')).toBe(
      'https://ghe.example/acme/checkout/actions/workflows/deploy.yml',
    );
  });

  it('keeps any other base as it is', () => {
    expect(githubWebBaseUrl('http://127.0.0.1:7070')).toBe('http://127.0.0.1:7070');
  });
});
