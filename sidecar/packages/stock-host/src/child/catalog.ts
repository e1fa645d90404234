import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import type { StockPluginDefinition } from '../definitions';

interface EntityRef {
  kind: string;
  namespace?: string;
  name: string;
}

function parseRef(ref: string | EntityRef): EntityRef | undefined {
  if (typeof ref !== 'string') return ref;
  const match = /^([^:]+):(?:([^/]+)\/)?(.+)$/.exec(ref);
  return match ? { kind: match[1]!, namespace: match[2], name: match[3]! } : undefined;
}

/**
 * The catalog a stock plugin sees: no Backstage catalog backend exists. An
 * entity `component:default/<name>` exists for any valid name, with the
 * annotations the definition derives from the name and the workspace's
 * settings (pointing at this process's only instance, the workspace's own);
 * every other lookup finds nothing, and listing or writing is refused.
 */
export function replacementCatalog(definition: StockPluginDefinition, settings: PluginSettings) {
  const entityFor = (ref: string | EntityRef) => {
    const parsed = parseRef(ref);
    if (!parsed) return undefined;
    if (parsed.kind.toLowerCase() !== 'component' || (parsed.namespace ?? 'default') !== 'default') return undefined;
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: parsed.name,
        namespace: 'default',
        annotations: definition.annotationsFor(parsed.name, settings),
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'orbit' },
    };
  };
  const refuse = async () => {
    throw new Error('the catalog of a stock plugin answers entity lookups only');
  };
  const service = {
    getEntityByRef: async (ref: string | EntityRef) => entityFor(ref),
    getEntitiesByRefs: async (request: { entityRefs: string[] }) => ({ items: request.entityRefs.map(entityFor) }),
    getEntities: refuse,
    queryEntities: refuse,
    getEntityAncestors: refuse,
    getEntityFacets: refuse,
    getLocationById: refuse,
    getLocationByRef: refuse,
    getLocationByEntity: refuse,
    getLocations: refuse,
    queryLocations: refuse,
    streamLocations: refuse,
    addLocation: refuse,
    updateLocation: refuse,
    removeLocationById: refuse,
    removeEntityByUid: refuse,
    refreshEntity: refuse,
    validateEntity: refuse,
    analyzeLocation: refuse,
    streamEntities: refuse,
    streamEntityPages: refuse,
  };
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => service as unknown as typeof catalogServiceRef.T,
  });
}
