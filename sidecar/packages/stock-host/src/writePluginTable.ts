// `npm run docs:plugins` (repository root): rewrites the plugin table in README.md and sidecar/README.md
// from src/catalogue/plugins.json and the stock plugins' definitions.
import { readFileSync, writeFileSync } from 'node:fs';
import { README_FILES, pluginTable, readCatalogue, repositoryRoot, withPluginTable } from './pluginTable';

const table = pluginTable(readCatalogue());
for (const file of README_FILES) {
  const path = new URL(file, repositoryRoot);
  writeFileSync(path, withPluginTable(readFileSync(path, 'utf8'), table));
  console.log(`${file}: plugin table updated.`);
}
