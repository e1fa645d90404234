import { readFileSync, statSync, utimesSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHILD_BUNDLE, childCommand, isChildBundleFresh } from './childBuild';

describe('the compiled child', () => {
  it('is built when missing or stale, and then run by plain node', () => {
    const first = childCommand();
    expect(first).toEqual({ args: [CHILD_BUNDLE], compiled: true });
    expect(isChildBundleFresh()).toBe(true);
    const bundle = readFileSync(CHILD_BUNDLE, 'utf8');
    // This repository's TypeScript-only packages are inside; npm packages stay requires; the plugin is imported at run time.
    expect(bundle).not.toMatch(/require\("@internal\//);
    expect(bundle).toContain('require("@backstage/backend-defaults")');
    expect(bundle).toContain('import(definition.packageName)');

    utimesSync(CHILD_BUNDLE, new Date(0), new Date(0)); // older than its sources: stale
    expect(isChildBundleFresh()).toBe(false);
    expect(childCommand().compiled).toBe(true);
    expect(isChildBundleFresh()).toBe(true);
    expect(statSync(CHILD_BUNDLE).mtimeMs).toBeGreaterThan(0);
  }, 60_000);
});
