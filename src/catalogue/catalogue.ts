import { z } from "zod";
import { endpointsOf } from "../plugins/plugin-route.js";
import { pluginRouteTables } from "../plugins/contracts.js";
import declaredPlugins from "./plugins.json" with { type: "json" };

const parameterSchema = z.object({
  name: z.string().min(1),
  type: z.string().min(1),
  required: z.boolean(),
  description: z.string(),
  defaultValue: z.string().optional(),
});

const endpointSchema = z.object({
  path: z.string().regex(/^\/[A-Za-z0-9/_{}.-]*$/, "must be a path starting with /"),
  method: z.enum(["GET", "POST", "PUT", "DELETE"]),
  description: z.string(),
  parameters: z.array(parameterSchema),
  exampleResponse: z.string(),
});

/** A plugin's routes as declared by its contract (none for a plugin the gateway has no contract of). */
const endpointsFor = (pluginId: string) => {
  const routes = pluginRouteTables[pluginId];
  return routes ? endpointsOf(routes) : [];
};

const pluginSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  description: z.string(),
  category: z.enum(["api-catalog", "ci-cd", "infrastructure", "cloud-resources", "project-management"]),
  apiBasePath: z.string().regex(/^\/api\/[a-z][a-z0-9-]*$/, "must be /api/<plugin>"),
  backstagePackage: z.string().min(1),
  version: z.string().min(1),
  documentationUrl: z.url(),
  requiredConfigKeys: z.array(z.string()),
  secretKeys: z.array(z.string()),
  supportedFeatures: z.array(z.string()),
  /** Orbit's own plugins: how a workspace is kept to its own data, one line (the README's plugin table). */
  isolation: z.string().optional(),
  configSchema: z.record(z.string(), z.unknown()),
  /** How long the gateway caches this plugin's GET answers; PLUGIN_CACHE_TTL when absent. */
  cacheTtlSeconds: z.number().int().min(0).optional(),
  /** Added to the routes of the plugin's contract, if it has one (the gateway's own plugins are listed from it). */
  endpoints: z.array(endpointSchema).optional(),
});

const catalogueFileSchema = z.object({ plugins: z.array(pluginSchema).min(1) });

export type CatalogueEntry = Omit<z.infer<typeof pluginSchema>, "endpoints"> & {
  readonly endpoints: z.infer<typeof endpointSchema>[];
};

/** The plugins the sidecar hosts, as declared in one file. */
export interface Catalogue {
  readonly entries: readonly CatalogueEntry[];
  get(pluginId: string): CatalogueEntry | undefined;
}

export function createCatalogue(entries: readonly CatalogueEntry[]): Catalogue {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  if (byId.size !== entries.length) throw new Error("plugin catalogue: plugin ids must be unique");
  return { entries, get: (pluginId) => byId.get(pluginId) };
}

/**
 * Validates the declared catalogue (src/catalogue/plugins.json by default); a broken
 * file stops start-up with the reason.
 */
export function loadCatalogue(file: unknown = declaredPlugins): Catalogue {
  const parsed = catalogueFileSchema.safeParse(file);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`the plugin catalogue is invalid:\n  ${problems.join("\n  ")}`);
  }
  // A plugin with a contract lists its routes first, then any the file adds (jira: Jira's REST paths through the proxy).
  return createCatalogue(
    parsed.data.plugins.map((plugin) => ({ ...plugin, endpoints: [...endpointsFor(plugin.id), ...(plugin.endpoints ?? [])] })),
  );
}
