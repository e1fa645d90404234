/**
 * Orbit deployment plugin for the Backstage sidecar (pluginId `deployment`).
 *
 * @packageDocumentation
 */

export { deploymentPlugin as default } from './plugin';
