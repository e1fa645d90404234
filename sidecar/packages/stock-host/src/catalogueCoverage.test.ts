/**
 * The catalogue coverage check (issue 13): every plugin the gateway's catalogue
 * (src/catalogue/plugins.json) lists is hosted by this sidecar, has a closed
 * settings schema, runs the catalogued version, and, for stock plugins, has an
 * isolation mapping whose routes are exactly the catalogued endpoints. Generic:
 * a plugin added to the catalogue or to definitions/ is checked without
 * touching this file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StockPluginDefinition, stockPluginDefinitions } from './definitions';
import { matchRoute, pluginPathOf } from './routes';

const repo = new URL('../../../../', import.meta.url);
const sidecar = new URL('sidecar/', repo);
const readJson = <T>(path: string | URL): T => JSON.parse(readFileSync(path, 'utf8')) as T;

interface Endpoint {
  path: string;
  method: string;
  parameters: { name: string; type: string }[];
}
interface JsonSchema {
  type?: string;
  additionalProperties?: unknown;
  properties?: Record<string, { type?: string; format?: string; description?: string }>;
  required?: string[];
}
interface Entry {
  id: string;
  apiBasePath: string;
  backstagePackage: string;
  version: string;
  requiredConfigKeys: string[];
  secretKeys: string[];
  configSchema: JsonSchema;
  endpoints?: Endpoint[];
}

const entries = readJson<{ plugins: Entry[] }>(new URL('src/catalogue/plugins.json', repo)).plugins;
const definitions = [...stockPluginDefinitions.values()];
const stockPins = readJson<{ dependencies: Record<string, string> }>(
  new URL('packages/stock-host/package.json', sidecar),
).dependencies;
const backendPackage = readJson<{ dependencies: Record<string, string> }>(
  new URL('packages/backend/package.json', sidecar),
);
const backendIndex = readFileSync(new URL('packages/backend/src/index.ts', sidecar), 'utf8');

/**
 * The stock definition hosting a catalogue entry: same base path (`/api/<Backstage plugin id>`;
 * the catalogue id may differ, as `argocd` is mounted as `backstage-community-argocd`) and package.
 */
const definitionOf = (entry: Entry) =>
  definitions.find(
    definition =>
      `/api/${definition.pluginId}` === entry.apiBasePath && definition.packageName === entry.backstagePackage,
  );
const isStock = (entry: Entry) => !entry.backstagePackage.startsWith('@internal/');

/** Settings a workspace could save: a URL for every URL setting, a value for every required one and every secret. */
function sampleSettings(entry: Entry) {
  const config: Record<string, string> = {};
  for (const [key, property] of Object.entries(entry.configSchema.properties ?? {})) {
    if (property.format === 'uri') config[key] = `https://${key.replace(/_/g, '-')}.sample.example.com`;
    else if (entry.requiredConfigKeys.includes(key)) config[key] = 'sample';
  }
  return { config, secrets: Object.fromEntries(entry.secretKeys.map(key => [key, `sample-${key}`])) };
}

/** A catalogue endpoint's path with every `{placeholder}` filled with a sample of its type (ids are numbers). */
const samplePath = (endpoint: Endpoint) =>
  endpoint.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const type = endpoint.parameters.find(parameter => parameter.name === name)?.type;
    return type === 'integer' || type === 'number' || name.endsWith('_id') ? '1' : 'sample';
  });

/** Whether a route of the definition takes the endpoint (method, sample path, then the route's own checks). */
function routeTakes(definition: StockPluginDefinition, entry: Entry, endpoint: Endpoint) {
  try {
    const matched = matchRoute(definition, endpoint.method, samplePath(endpoint), '');
    pluginPathOf(definition, matched, sampleSettings(entry));
    return matched.route;
  } catch {
    return undefined;
  }
}

/** The plugin ids a Backstage config file lists under accessRestrictions. */
const accessRestrictionsOf = (file: string) =>
  [...readFileSync(new URL(file, sidecar), 'utf8').matchAll(/^\s*-\s*plugin:\s*([a-z0-9-]+)\s*$/gm)].map(m => m[1]);

describe.each(entries.map(entry => [entry.id, entry] as const))('catalogue entry %s', (_id, entry) => {
  it('has a closed settings schema with its required keys, and no secret in it', () => {
    const schema = entry.configSchema;
    expect([schema.type, schema.additionalProperties]).toEqual(['object', false]);
    const properties = schema.properties ?? {};
    for (const key of entry.requiredConfigKeys) expect(Object.keys(properties), key).toContain(key);
    for (const key of entry.secretKeys) expect(Object.keys(properties), key).not.toContain(key);
    for (const [key, property] of Object.entries(properties)) {
      expect(property.description, `${key} has a description`).toBeTruthy();
      // URLs are checked against the egress policy only when the schema says they are URLs.
      if (/(^|_)url$/.test(key)) expect(property.format, `${key} is format: uri`).toBe('uri');
    }
  });

  it('is hosted by the sidecar at its base path, at the catalogued version', () => {
    if (isStock(entry)) {
      const definition = definitionOf(entry);
      expect(definition, `a definition in stock-host/src/definitions/ with pluginId ${entry.id}`).toBeDefined();
      expect(stockPins[entry.backstagePackage], 'pinned exactly in stock-host/package.json').toBe(entry.version);
      const installed = readJson<{ version: string }>(
        new URL(`node_modules/${entry.backstagePackage}/package.json`, sidecar),
      ).version;
      expect(installed, 'installed in sidecar/node_modules').toBe(entry.version);
    } else {
      // One of Orbit's own plugins: a package of this repository with that plugin id, added by the backend.
      const folder = entry.backstagePackage.replace(/^@internal\/plugin-/, '');
      const own = readJson<{ name: string; version: string; backstage?: { pluginId?: string } }>(
        new URL(`plugins/${folder}/package.json`, sidecar),
      );
      expect([own.name, own.version, own.backstage?.pluginId]).toEqual([
        entry.backstagePackage,
        entry.version,
        entry.id,
      ]);
      expect(entry.apiBasePath).toBe(`/api/${entry.id}`);
      expect(backendPackage.dependencies[entry.backstagePackage]).toBe(entry.version);
      expect(backendIndex).toContain(`backend.add(import('${entry.backstagePackage}'))`);
    }
  });
});

describe.each(entries.filter(isStock).map(entry => [entry.id, entry] as const))(
  'stock catalogue entry %s',
  (_id, entry) => {
    it('has an endpoint for every route of its definition, and a route for every endpoint', () => {
      const definition = definitionOf(entry);
      if (!definition) throw new Error(`no stock definition hosts ${entry.id}`);
      const endpoints = entry.endpoints ?? [];
      for (const endpoint of endpoints) {
        expect(routeTakes(definition, entry, endpoint), `${endpoint.method} ${endpoint.path} is allowed`).toBeDefined();
      }
      for (const route of definition.routes) {
        const covered = endpoints.some(endpoint => routeTakes(definition, entry, endpoint) === route);
        expect(covered, `${route.method} ${route.path.source} is in the catalogue's endpoints`).toBe(true);
      }
    });
  },
);

describe.each(definitions.map(definition => [definition.pluginId, definition] as const))(
  'stock definition %s',
  (_id, definition) => {
    it('is in the catalogue', () => {
      expect(
        entries.find(entry => entry.apiBasePath === `/api/${definition.pluginId}`),
        'an entry in src/catalogue/plugins.json',
      ).toBeDefined();
    });

    it('has an isolation mapping: routes, the upstream from the settings, catalog annotations where entities are named', () => {
      expect(definition.routes.length).toBeGreaterThan(0);
      expect(definition.isolation.trim()).not.toBe('');
      const entry = entries.find(candidate => candidate.apiBasePath === `/api/${definition.pluginId}`)!;
      const settings = sampleSettings(entry);
      // The upstream is forced from the workspace's settings: every URL setting reaches the plugin's config.
      const config = JSON.stringify(definition.configFor(settings));
      for (const [key, value] of Object.entries(settings.config)) {
        if (entry.configSchema.properties?.[key]?.format === 'uri') expect(config, key).toContain(value);
      }
      if (definition.routes.some(route => /entit/.test(route.path.source))) {
        expect(
          Object.keys(definition.annotationsFor('sample', settings)).length,
          'catalog annotations',
        ).toBeGreaterThan(0);
      }
    });

    it('is under accessRestrictions of the sidecar config', () => {
      expect(accessRestrictionsOf('app-config.yaml')).toContain(definition.pluginId);
      const production = accessRestrictionsOf('app-config.production.yaml');
      if (production.length > 0) expect(production).toContain(definition.pluginId);
    });
  },
);
