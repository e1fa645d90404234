import { useEffect, useState } from "react";
import { DeploymentState } from "../gen/idp/plugins/v1/deployments_pb.js";
import type { PendingApproval, Pipeline } from "../gen/idp/plugins/v1/deployments_pb.js";
import { useGateway } from "./context.js";

/**
 * Streamed pipelines are read with the workspace's credential, so they cannot say
 * whether this user may approve. For each run waiting at a gate, one GetPipeline with
 * the user's own GitHub token tells it (`current_user_can_approve`).
 */
export function useApprovalRights(pipeline: Pipeline | undefined): ReadonlyMap<string, readonly PendingApproval[]> {
  const { deployments, workspaceId } = useGateway();
  const [rights, setRights] = useState<ReadonlyMap<string, readonly PendingApproval[]>>(new Map());
  const waiting = (pipeline?.environments ?? [])
    .filter((environment) => environment.state === DeploymentState.WAITING_APPROVAL && environment.activeRun)
    .map((environment) => `${environment.environment}:${environment.activeRun?.runId ?? 0n}`)
    .join(",");
  const service = pipeline?.service ?? "";
  useEffect(() => {
    if (!waiting || !service) return;
    const abort = new AbortController();
    deployments.getPipeline({ workspaceId, service }, { signal: abort.signal }).then(
      ({ pipeline: read }) =>
        setRights(new Map((read?.environments ?? []).map((environment) => [environment.environment, environment.pendingApprovals]))),
      () => undefined, // without rights the panel shows who can review
    );
    return () => abort.abort();
  }, [deployments, workspaceId, service, waiting]);
  return rights;
}
