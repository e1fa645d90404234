import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import { ENTITY_NAME, type StockPluginDefinition } from './definition';

/**
 * One segment of a job's full name: letters, digits and `._-` (what needs no
 * escaping in Jenkins' URLs; the plugin escapes segments twice, so others would
 * not reach the right job anyway), never `.`, `..` or `job` (the Jenkins client
 * takes a name containing `/job/` as a ready-made URL path).
 */
const SEGMENT = '(?!(?:\\.{1,2}|job)(?:/|$))[A-Za-z0-9._-]{1,100}';
/** A job's full name in the workspace's settings: segments separated by `/` (`folder/job`). */
export const JOB_FULL_NAME = new RegExp(`^${SEGMENT}(?:/${SEGMENT}){0,9}$`);
/**
 * The `jobs` setting: `entity=folder/job` pairs separated by commas, mapping
 * an entity name (no `/` allowed) to a job in a folder. Also the pattern of the
 * catalogue's settings schema.
 */
export const JOBS_SETTING = new RegExp(
  `^${ENTITY_NAME}=${SEGMENT}(?:/${SEGMENT}){0,9}(?:, ?${ENTITY_NAME}=${SEGMENT}(?:/${SEGMENT}){0,9})*$`,
);

const ENTITY = `/v1/entity/default/component/(${ENTITY_NAME})`;
/** A job in the caller's path, Jenkins' own way: `folder/job/name` (a `%2F` cannot pass the gateway). */
const JOB = `(${SEGMENT}(?:/job/${SEGMENT}){0,9})`;
/** A build number: digits only (the plugin's parseInt would read `7abc` as 7). */
const BUILD = '[1-9][0-9]{0,9}';
const JOB_ROUTE = new RegExp(`^${ENTITY}/job/${JOB}((?:/${BUILD})(?:/consoleText)?)?$`);

/** The jobs the `jobs` setting maps, by entity name (empty when unset). */
function jobsSetting(settings: PluginSettings): ReadonlyMap<string, string> {
  const value = settings.config.jobs ?? '';
  if (value === '') return new Map();
  if (!JOBS_SETTING.test(value))
    throw new Error('the jobs setting must be entity=folder/job pairs separated by commas');
  return new Map(value.split(',').map(pair => pair.trim().split('=') as [string, string]));
}

/** The full name of the job an entity stands for: the `jobs` setting's, or the entity's name (a top-level job). */
export function jobOf(entity: string, settings: PluginSettings): string {
  return jobsSetting(settings).get(entity) ?? entity;
}

/**
 * A job route's path as the plugin takes it: the job named in the path must be
 * the entity's own job or below it (a branch of a multibranch job, a job in
 * the entity's folder), and reaches the plugin as its one `:jobFullName`
 * parameter (`folder%2Fjob`).
 */
export function jobRoutePath(path: string, settings: PluginSettings): string {
  const match = JOB_ROUTE.exec(path);
  if (!match) throw new Error('not a job route');
  const [, entity, job, build = ''] = match as unknown as [string, string, string, string | undefined];
  const own = jobOf(entity, settings).split('/');
  const named = job.split('/job/');
  if (named.length < own.length || own.some((segment, index) => named[index] !== segment)) {
    throw new Error(`job "${named.join('/')}" is neither the job of entity ${entity} (${own.join('/')}) nor below it`);
  }
  return `/v1/entity/default/component/${entity}/job/${encodeURIComponent(named.join('/'))}${build}`;
}

export const jenkinsDefinition: StockPluginDefinition = {
  pluginId: 'jenkins',
  packageName: '@backstage-community/plugin-jenkins-backend',
  isolation:
    "a Backstage process per workspace with that workspace's Jenkins only; five allow-listed routes, no query; the catalog answers `component:default/<name>` with the workspace's job for the name (`jobs` setting, or the name); a job named in the path must be that job or below it",
  routes: [
    { method: 'GET', path: new RegExp(`^${ENTITY}/projects$`) },
    { method: 'GET', path: new RegExp(`^${ENTITY}/job/${JOB}$`), pluginPath: jobRoutePath },
    { method: 'GET', path: new RegExp(`^${ENTITY}/job/${JOB}/${BUILD}$`), pluginPath: jobRoutePath },
    { method: 'GET', path: new RegExp(`^${ENTITY}/job/${JOB}/${BUILD}/consoleText$`), pluginPath: jobRoutePath },
    // Rebuild: the plugin POSTs <build>/replay/rebuild to Jenkins. No body.
    { method: 'POST', path: new RegExp(`^${ENTITY}/job/${JOB}/${BUILD}$`), pluginPath: jobRoutePath },
  ],
  configFor: settings => ({
    jenkins: {
      baseUrl: settings.config.base_url,
      username: settings.config.username,
      apiKey: settings.secrets.api_key,
    },
  }),
  // No "instance:" prefix: the child has one instance, the workspace's.
  annotationsFor: (name, settings) => ({ 'jenkins.io/job-full-name': jobOf(name, settings) }),
};
