/**
 * Compile-time guard (checked by `npm run typecheck`): the gateway's copy of the
 * deployment plugin's HTTP shapes must stay identical to the plugin's own
 * (`sidecar/plugins/deployment-common`). The gateway ships without the sidecar's
 * packages, so it keeps a copy; this makes drift a type error instead of a surprise.
 */
import type * as Gateway from "../../src/deployments/plugin-api.js";
import type * as Plugin from "../../sidecar/plugins/deployment-common/src/api.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Same<A, B> = Equal<A, B> extends true ? true : never;

export const contractIsShared: [
  Same<Gateway.DeploymentState, Plugin.DeploymentState>,
  Same<Gateway.EnvironmentInput, Plugin.EnvironmentInput>,
  Same<Gateway.Environment, Plugin.Environment>,
  Same<Gateway.ServicesResponse, Plugin.ServicesResponse>,
  Same<Gateway.EnvironmentsResponse, Plugin.EnvironmentsResponse>,
  Same<Gateway.UpsertEnvironmentResult, Plugin.UpsertEnvironmentResult>,
  Same<Gateway.DeleteEnvironmentResult, Plugin.DeleteEnvironmentResult>,
  Same<Gateway.WorkflowsResponse, Plugin.WorkflowsResponse>,
  Same<Gateway.VersionsResponse, Plugin.VersionsResponse>,
  Same<Gateway.TriggerInput, Plugin.TriggerInput>,
  Same<Gateway.DeploymentRunResult, Plugin.DeploymentRunResult>,
  Same<Gateway.Pipeline, Plugin.Pipeline>,
  Same<Gateway.ReviewInput, Plugin.ReviewInput>,
  Same<Gateway.ReviewResult, Plugin.ReviewResult>,
  Same<Gateway.HistoryResponse, Plugin.HistoryResponse>,
  Same<Gateway.RollbackInput, Plugin.RollbackInput>,
  Same<Gateway.RollbackResult, Plugin.RollbackResult>,
  Same<Gateway.PullRequestsResponse, Plugin.PullRequestsResponse>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
