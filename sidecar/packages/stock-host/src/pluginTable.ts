/**
 * The plugin table of README.md and sidecar/README.md, written from the
 * catalogue (src/catalogue/plugins.json) and the stock definitions by
 * `npm run docs:plugins`; a test checks both READMEs are current.
 */
import { readFileSync } from 'node:fs';
import { type StockPluginDefinition, stockPluginDefinitions } from './definitions';

export const TABLE_START = '<!-- plugin-table:start (npm run docs:plugins writes this table) -->';
export const TABLE_END = '<!-- plugin-table:end -->';

/** The READMEs that carry the table, from the repository root. */
export const README_FILES = ['README.md', 'sidecar/README.md'] as const;

export const repositoryRoot = new URL('../../../../', import.meta.url);

interface CatalogueEntry {
  id: string;
  /** `/api/<Backstage plugin id>`: how a stock entry finds its definition (the ids may differ). */
  apiBasePath: string;
  description: string;
  backstagePackage: string;
  version: string;
  secretKeys: string[];
  /** Orbit's own plugins: how a workspace is kept to its own data (stock plugins say it in their definition). */
  isolation?: string;
  configSchema: { properties?: Record<string, unknown> };
}

export function readCatalogue(): CatalogueEntry[] {
  return (
    JSON.parse(readFileSync(new URL('src/catalogue/plugins.json', repositoryRoot), 'utf8')) as {
      plugins: CatalogueEntry[];
    }
  ).plugins;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (text: string) => `\`${text}\``;

/** The table's rows: one per catalogue entry, in the catalogue's order. */
export function pluginTable(
  entries: readonly CatalogueEntry[],
  definitions: ReadonlyMap<string, StockPluginDefinition> = stockPluginDefinitions,
): string {
  const rows = entries.map(entry => {
    const own = entry.backstagePackage.startsWith('@internal/');
    const definition = [...definitions.values()].find(each => `/api/${each.pluginId}` === entry.apiBasePath);
    const isolation = own ? entry.isolation : definition?.isolation;
    if (!isolation) throw new Error(`the catalogue entry ${entry.id} has no isolation line (catalogue or definition)`);
    const settings = Object.keys(entry.configSchema.properties ?? {}).map(code);
    const secrets = entry.secretKeys.map(key => `${code(key)} (secret, write-only)`);
    return [
      code(entry.id),
      `${code(entry.backstagePackage)} ${entry.version} (${own ? 'this repository' : 'stock, unmodified'})`,
      entry.description,
      [...settings, ...secrets].join(', ') || 'none',
      isolation,
    ]
      .map(cell)
      .join(' | ');
  });
  return [
    '| id | package and version | what it shows | settings | isolation |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(row => `| ${row} |`),
  ].join('\n');
}

/** The document with the table between its markers replaced by `table`. */
export function withPluginTable(document: string, table: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the plugin table markers are missing (${TABLE_START} … ${TABLE_END})`);
  return `${document.slice(0, start + TABLE_START.length)}\n${table}\n${document.slice(end)}`;
}
