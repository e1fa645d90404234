import { argocdDefinition } from './argocd';
import type { StockPluginDefinition } from './definition';
import { githubActionsDefinition } from './github-actions';
import { jenkinsDefinition } from './jenkins';
import { kubernetesDefinition } from './kubernetes';
import { jiraDefinition } from './jira';
import { sonarqubeDefinition } from './sonarqube';

export { ENTITY_NAME, hostedOf, type StockPluginDefinition, type StockRoute } from './definition';
export { argocdDefinition } from './argocd';
export { githubActionsDefinition } from './github-actions';
export { jenkinsDefinition } from './jenkins';
export { jiraDefinition } from './jira';
export { KUBERNETES_CLUSTER_NAME, kubernetesDefinition } from './kubernetes';
export { sonarqubeDefinition } from './sonarqube';

/** The stock plugins the sidecar hosts, by plugin id (one file per plugin in this folder). */
export const stockPluginDefinitions: ReadonlyMap<string, StockPluginDefinition> = new Map(
  [
    sonarqubeDefinition,
    jenkinsDefinition,
    argocdDefinition,
    kubernetesDefinition,
    githubActionsDefinition,
    jiraDefinition,
  ].map(definition => [definition.pluginId, definition]),
);
