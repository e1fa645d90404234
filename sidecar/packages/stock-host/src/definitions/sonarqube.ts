import { ENTITY_NAME, type StockPluginDefinition } from './definition';

export const sonarqubeDefinition: StockPluginDefinition = {
  pluginId: 'sonarqube',
  packageName: '@backstage-community/plugin-sonarqube-backend',
  isolation:
    "a Backstage process per workspace with that workspace's settings only; one allow-listed route, no query; the catalog answers `component:default/<name>` with `sonarqube.org/project-key: <name>`",
  routes: [{ method: 'GET', path: new RegExp(`^/entities/component/default/${ENTITY_NAME}/summary$`) }],
  configFor: settings => ({
    sonarqube: {
      baseUrl: settings.config.base_url,
      ...(settings.config.external_base_url ? { externalBaseUrl: settings.config.external_base_url } : {}),
      apiKey: settings.secrets.api_key,
      authType: settings.config.auth_type === 'Bearer' ? 'Bearer' : 'Basic',
    },
  }),
  // The project key is the entity's name; no "instance/" prefix: the child has one instance.
  annotationsFor: name => ({ 'sonarqube.org/project-key': name }),
};
