import { argocdDefinition } from './argocd';
import type { StockPluginDefinition } from './definition';
import { jenkinsDefinition } from './jenkins';
import { kubernetesDefinition } from './kubernetes';
import { sonarqubeDefinition } from './sonarqube';

export { ENTITY_NAME, type StockPluginDefinition, type StockRoute } from './definition';
export { argocdDefinition } from './argocd';
export { jenkinsDefinition } from './jenkins';
export { KUBERNETES_CLUSTER_NAME, kubernetesDefinition } from './kubernetes';
export { sonarqubeDefinition } from './sonarqube';

/** The stock plugins the sidecar hosts, by plugin id (one file per plugin in this folder). */
export const stockPluginDefinitions: ReadonlyMap<string, StockPluginDefinition> = new Map(
  [sonarqubeDefinition, jenkinsDefinition, argocdDefinition, kubernetesDefinition].map(definition => [
    definition.pluginId,
    definition,
  ]),
);
