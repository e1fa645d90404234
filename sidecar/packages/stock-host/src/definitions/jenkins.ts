import { ENTITY_NAME, type StockPluginDefinition } from './definition';

export const jenkinsDefinition: StockPluginDefinition = {
  pluginId: 'jenkins',
  packageName: '@backstage-community/plugin-jenkins-backend',
  // Listing projects only; job, build, rebuild and consoleText routes are not allowed yet.
  routes: [{ method: 'GET', path: new RegExp(`^/v1/entity/default/component/${ENTITY_NAME}/projects$`) }],
  configFor: settings => ({
    jenkins: {
      baseUrl: settings.config.base_url,
      username: settings.config.username,
      apiKey: settings.secrets.api_key,
    },
  }),
  // The job's full name is the entity's name; no "instance:" prefix: the child has one instance.
  annotationsFor: name => ({ 'jenkins.io/job-full-name': name }),
};
