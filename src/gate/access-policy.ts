import type { DescMethod } from "@bufbuild/protobuf";

/**
 * Which procedures change workspace configuration (or read its audit trail) and
 * therefore need an admin token.
 * Everything else needs any valid token; workspace scoping is derived from the
 * request message itself (see workspaceFieldOf).
 */
export const ADMIN_PROCEDURES: ReadonlySet<string> = new Set([
  "idp.plugins.v1.PluginsService/EnablePlugin",
  "idp.plugins.v1.PluginsService/DisablePlugin",
  "idp.plugins.v1.PluginsService/UpdatePluginConfig",
  "idp.plugins.v1.PluginsService/ListPluginAuditLog",
  // Where a service deploys is workspace configuration too.
  "idp.plugins.v1.DeploymentService/UpsertEnvironment",
  "idp.plugins.v1.DeploymentService/DeleteEnvironment",
]);

export function procedureName(method: DescMethod): string {
  return `${method.parent.typeName}/${method.name}`;
}

export function requiresAdmin(method: DescMethod): boolean {
  return ADMIN_PROCEDURES.has(procedureName(method));
}

/**
 * The request field that names the workspace, when the procedure is workspace-scoped.
 * Every such message in the contract carries `workspace_id`, and it must equal the
 * token's `wid`.
 */
export function workspaceFieldOf(method: DescMethod): string | undefined {
  return method.input.fields.find((field) => field.name === "workspace_id")?.localName;
}
