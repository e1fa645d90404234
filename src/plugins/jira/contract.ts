/**
 * The Jira plugin's contract, owned by the plugin (`sidecar/plugins/jira-common`):
 * shapes, route table and field rules, compiled into the gateway's own build.
 */
export type * from "../../../sidecar/plugins/jira-common/src/api.js";
export * from "../../../sidecar/plugins/jira-common/src/routes.js";
export * from "../../../sidecar/plugins/jira-common/src/rules.js";
