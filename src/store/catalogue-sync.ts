import type { Database } from "./database.js";

/** One plugin of the catalogue, as the store keeps it. `definition` is stored verbatim. */
export interface CatalogueRow {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly apiBasePath: string;
  readonly version: string;
  readonly definition: unknown;
}

/**
 * Upserts the catalogue by id in one transaction, at start-up before serving.
 * Rows of plugins that left the catalogue stay: workspace state still references them.
 * Returns how many rows were inserted or changed (unchanged rows are not rewritten).
 */
export async function syncCatalogue(db: Database, entries: readonly CatalogueRow[]): Promise<number> {
  return db.transaction(async (tx) => {
    let written = 0;
    for (const entry of entries) {
      const rows = await tx.query(
        `INSERT INTO plugin_catalogue (plugin_id, name, category, api_base_path, version, definition)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)
         ON CONFLICT (plugin_id) DO UPDATE
           SET name = EXCLUDED.name, category = EXCLUDED.category, api_base_path = EXCLUDED.api_base_path,
               version = EXCLUDED.version, definition = EXCLUDED.definition, synced_at = now()
           WHERE (plugin_catalogue.name, plugin_catalogue.category, plugin_catalogue.api_base_path,
                  plugin_catalogue.version, plugin_catalogue.definition)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.api_base_path,
                               EXCLUDED.version, EXCLUDED.definition)
         RETURNING plugin_id`,
        [entry.id, entry.name, entry.category, entry.apiBasePath, entry.version, JSON.stringify(entry.definition ?? null)],
      );
      written += rows.length;
    }
    return written;
  });
}

/** The stored catalogue, ordered by id. */
export async function listCatalogue(db: Database): Promise<CatalogueRow[]> {
  const rows = await db.query<{
    plugin_id: string;
    name: string;
    category: string;
    api_base_path: string;
    version: string;
    definition: unknown;
  }>("SELECT plugin_id, name, category, api_base_path, version, definition FROM plugin_catalogue ORDER BY plugin_id");
  return rows.map((row) => ({
    id: row.plugin_id,
    name: row.name,
    category: row.category,
    apiBasePath: row.api_base_path,
    version: row.version,
    definition: row.definition,
  }));
}
