import { ENTITY_NAME, type StockPluginDefinition } from './definition';

/**
 * The one Argo CD instance a workspace's process knows, whatever the
 * workspace's settings: callers name it in the path (`/argoInstance/orbit/…`),
 * and any other instance name is no route at all.
 */
export const ARGOCD_INSTANCE = 'orbit';

/** Kubernetes object names (Argo CD applications, namespaces, projects): lowercase DNS subdomain. */
const K8S_NAME = '[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?';
const K8S_NAME_PATTERN = new RegExp(`^${K8S_NAME}$`);
/** A revision: a Git commit SHA, a tag or a branch name, a Helm chart version; no '%', no leading dot. */
const REVISION = '[A-Za-z0-9][A-Za-z0-9._+-]{0,127}';
/**
 * A label selector in a path segment, as the Argo CD frontend puts it there
 * unencoded: `key=value`, `key!=value`, `key`, `!key`, comma-separated, with
 * unprefixed keys (the gateway refuses an encoded '/' in a path).
 */
const LABEL = ENTITY_NAME;
const SELECTOR_TERM = `(?:!?${LABEL}|${LABEL}(?:==?|!=)(?:${LABEL})?)`;
const SELECTOR = `${SELECTOR_TERM}(?:,${SELECTOR_TERM}){0,19}`;
const SELECTOR_PATTERN = new RegExp(`^${SELECTOR}$`);

const APPLICATIONS = `^/argoInstance/${ARGOCD_INSTANCE}/applications`;

/**
 * `@backstage-community/plugin-argocd-backend`: its own plugin id is
 * `backstage-community-argocd` (the Argo CD frontend discovers it under that
 * id), so the sidecar front and the child both mount it at
 * /api/backstage-community-argocd; the catalogue calls the plugin `argocd`.
 * Allowed: the routes the frontend calls for applications of the one
 * instance. Not allowed: `/find/name/:app` (it searches every configured
 * instance) and anything naming another instance.
 */
export const argocdDefinition: StockPluginDefinition = {
  pluginId: 'backstage-community-argocd',
  packageName: '@backstage-community/plugin-argocd-backend',
  isolation:
    "a Backstage process per workspace with one Argo CD instance, `orbit`, built from that workspace's URL and token; the instance segment must be `orbit`; `/find/name` (all instances) and the plugin's actions refused; query parameters allow-listed per route",
  routes: [
    // The frontend's probe of which Argo CD backend is installed; answers "OK" without calling Argo CD.
    { method: 'GET', path: /^\/check$/ },
    {
      method: 'GET',
      path: new RegExp(`${APPLICATIONS}/selector/${SELECTOR}$`),
      // The frontend repeats the selector in the query; the plugin reads the path's.
      query: { selector: SELECTOR_PATTERN, project: K8S_NAME_PATTERN, appNamespace: K8S_NAME_PATTERN },
    },
    {
      method: 'GET',
      path: new RegExp(`${APPLICATIONS}/${K8S_NAME}$`),
      query: { project: K8S_NAME_PATTERN, appNamespace: K8S_NAME_PATTERN },
    },
    {
      method: 'GET',
      path: new RegExp(`${APPLICATIONS}/name/${K8S_NAME}/revisions/${REVISION}/metadata$`),
      query: { appNamespace: K8S_NAME_PATTERN, sourceIndex: /^[0-9]{1,3}$/ },
    },
  ],
  configFor: settings => {
    const url = settings.config.base_url;
    const token = settings.secrets.token;
    // The plugin reads its config per request and would only fail then (or log in as admin/"password"
    // without a token): refuse such settings at start-up, so the workspace sees why.
    if (!url || !/^https?:\/\//.test(url)) throw new Error('invalid Argo CD settings: base_url must be an http(s) URL');
    if (!token) throw new Error('missing Argo CD API token: set the secret "token" of the argocd plugin');
    return {
      argocd: {
        // Never `localDevelopment`: it would replace the process's HTTP dispatcher (and so the egress guard).
        appLocatorMethods: [{ type: 'config', instances: [{ name: ARGOCD_INSTANCE, url, token }] }],
      },
    };
  },
  // The plugin reads no entity; these are the annotations an Orbit entity page would carry for it.
  annotationsFor: name => ({ 'argocd/app-name': name, 'argocd/instance-name': ARGOCD_INSTANCE }),
};
