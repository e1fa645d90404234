import { useEffect, useState } from "react";
import { Code, ConnectError } from "@connectrpc/connect";
import { useApprovalRights } from "../api/use-approval-rights.js";
import { usePipelineWatch } from "../api/use-pipeline-watch.js";
import type { DeploymentRun } from "../gen/idp/plugins/v1/deployments_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";
import { HistoryTimeline } from "./HistoryTimeline.js";
import { LiveIndicator } from "./LiveIndicator.js";
import { PipelineView } from "./PipelineView.js";
import { TriggerForm } from "./TriggerForm.js";

export interface DeploymentDashboardProps {
  readonly service: string;
}

/** One service: its live pipeline with inline approvals, a deploy form and the history with rollback. */
export function DeploymentDashboard({ service }: DeploymentDashboardProps) {
  const watch = usePipelineWatch(service);
  const approvals = useApprovalRights(watch.pipeline);
  const [dispatched, setDispatched] = useState<ReadonlyMap<string, DeploymentRun>>(new Map());
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs dispatched for the previous service are dropped when the service changes.
  useEffect(() => setDispatched(new Map()), [service]);
  const onDispatched = (run: DeploymentRun) => setDispatched((previous) => new Map(previous).set(run.environment, run));
  const environments = [...(watch.pipeline?.environments ?? [])]
    .sort((a, b) => a.order - b.order)
    .map((environment) => environment.environment);
  // History follows the pipeline: any change of a run's state or version refreshes it.
  const refreshKey = (watch.pipeline?.environments ?? [])
    .map((environment) => `${environment.environment}:${environment.activeRun?.runId ?? ""}:${environment.state}`)
    .join("|");
  const retryable = watch.error !== undefined && ConnectError.from(watch.error).code !== Code.PermissionDenied;

  return (
    <div className="dashboard">
      <section className="card" aria-labelledby="pipeline-title">
        <div className="row row--between">
          <h2 className="card__title" id="pipeline-title">
            Pipeline
          </h2>
          <LiveIndicator status={watch.status} retryInSeconds={watch.retryInSeconds} />
        </div>
        {watch.error && (watch.status !== "reconnecting" || !retryable || !watch.pipeline) ? (
          <ErrorNotice error={watch.error} compact />
        ) : null}
        {watch.pipeline ? (
          <PipelineView pipeline={watch.pipeline} approvals={approvals} dispatched={dispatched} />
        ) : watch.status === "connecting" ? (
          <p className="loading">Loading the pipeline…</p>
        ) : null}
      </section>
      {environments.length > 0 ? <TriggerForm service={service} environments={environments} onTriggered={onDispatched} /> : null}
      {environments.length > 0 ? (
        <HistoryTimeline service={service} environments={environments} refreshKey={refreshKey} onRolledBack={onDispatched} />
      ) : null}
    </div>
  );
}
