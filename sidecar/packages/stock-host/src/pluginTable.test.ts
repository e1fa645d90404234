import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  README_FILES,
  TABLE_END,
  TABLE_START,
  pluginTable,
  readCatalogue,
  repositoryRoot,
  withPluginTable,
} from './pluginTable';

describe('the plugin table', () => {
  const table = pluginTable(readCatalogue());

  it.each(README_FILES)('%s carries the current table (otherwise: run npm run docs:plugins)', file => {
    const document = readFileSync(new URL(file, repositoryRoot), 'utf8');
    expect(withPluginTable(document, table), `${file} is out of date: run npm run docs:plugins`).toBe(document);
  });

  it('has a row per catalogue entry with its version, settings, write-only secrets and isolation line', () => {
    const entries = readCatalogue();
    expect(table.split('\n').length).toBe(entries.length + 2);
    const jenkins = table.split('\n').find(row => row.startsWith('| `jenkins` |'));
    expect(jenkins).toContain('`@backstage-community/plugin-jenkins-backend` 0.31.0 (stock, unmodified)');
    expect(jenkins).toContain('`base_url`, `username`, `jobs`, `api_key` (secret, write-only)');
    expect(jenkins).toContain('a job named in the path must be that job or below it');
  });

  it('refuses an entry without an isolation line, and a document without markers', () => {
    const [own] = readCatalogue().filter(entry => entry.backstagePackage.startsWith('@internal/'));
    expect(() => pluginTable([{ ...own!, isolation: undefined }])).toThrow(/has no isolation line/);
    expect(() => withPluginTable('# no table', table)).toThrow(/markers are missing/);
    expect(withPluginTable(`a\n${TABLE_START}\nold\n${TABLE_END}\nb`, 'new')).toBe(
      `a\n${TABLE_START}\nnew\n${TABLE_END}\nb`,
    );
  });
});
