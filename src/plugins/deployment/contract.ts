/**
 * The deployment plugin's contract, owned by the plugin
 * (`sidecar/plugins/deployment-common`): shapes, route table and field rules. The
 * gateway compiles these dependency-free files into its own build
 * (tsconfig.build.json), so it needs none of the sidecar's packages.
 */
export type * from "../../../sidecar/plugins/deployment-common/src/api.js";
export * from "../../../sidecar/plugins/deployment-common/src/routes.js";
export * from "../../../sidecar/plugins/deployment-common/src/rules.js";
