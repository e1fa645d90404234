/**
 * Orbit workspace isolation for the Backstage sidecar.
 *
 * - `workspaceContextServiceFactory`: install it in the backend; every plugin
 *   that depends on `workspaceContextServiceRef` then gets the isolation
 *   middleware in front of all its routes.
 * - default export: the `workspace-isolation` plugin serving
 *   `GET /.orbit/requests` (request counters).
 *
 * @packageDocumentation
 */

export { workspaceIsolationPlugin as default } from './plugin';
export { workspaceContextServiceFactory } from './service/workspaceContextServiceFactory';
export {
  requestLedgerServiceRef,
  type RequestCounts,
  type RequestLedgerService,
} from './service/RequestLedger';
