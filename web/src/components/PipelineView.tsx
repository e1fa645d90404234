import { dateOf } from "../api/format.js";
import { DeploymentState } from "../gen/idp/plugins/v1/deployments_pb.js";
import type { DeploymentRun, EnvironmentStatus, PendingApproval, Pipeline } from "../gen/idp/plugins/v1/deployments_pb.js";
import { ApprovalPanel } from "./ApprovalPanel.js";
import { StateBadge } from "./StateBadge.js";
import { Time } from "./Time.js";

export interface PipelineViewProps {
  readonly pipeline: Pipeline;
  readonly approvals: ReadonlyMap<string, readonly PendingApproval[]>;
  /** Runs just dispatched from this page, shown until the stream reports them. */
  readonly dispatched: ReadonlyMap<string, DeploymentRun>;
}

/** Every environment in pipeline order, left to right (stacked on narrow screens). */
export function PipelineView({ pipeline, approvals, dispatched }: PipelineViewProps) {
  if (pipeline.environments.length === 0) {
    return <p className="empty">No environments configured for {pipeline.service} yet. An admin can add them under Environments.</p>;
  }
  const ordered = [...pipeline.environments].sort((a, b) => a.order - b.order);
  return (
    <ol className="pipeline" aria-label={`Pipeline of ${pipeline.service}`}>
      {ordered.map((environment) => (
        <EnvironmentCard
          key={environment.environment}
          service={pipeline.service}
          environment={environment}
          approvals={approvals.get(environment.environment) ?? environment.pendingApprovals}
          dispatched={dispatched.get(environment.environment)}
        />
      ))}
    </ol>
  );
}

function EnvironmentCard(props: {
  service: string;
  environment: EnvironmentStatus;
  approvals: readonly PendingApproval[];
  dispatched: DeploymentRun | undefined;
}) {
  const { environment, dispatched } = props;
  const run = environment.activeRun;
  // A run this page just dispatched shows at once, before the next pipeline update names it.
  const pending = dispatched && dispatched.runId !== run?.runId && (!run || dispatched.runId > run.runId) ? dispatched : undefined;
  const state = pending ? DeploymentState.QUEUED : environment.state;
  return (
    <li className={`stage stage--${state}`} data-environment={environment.environment} data-testid={`stage-${environment.environment}`}>
      <header className="stage__head">
        <h3 className="stage__name">{environment.environment}</h3>
        <StateBadge state={state} />
      </header>
      <dl className="stage__facts">
        <dt>Deployed</dt>
        <dd className="stage__version" data-testid="current-version">
          {environment.currentVersion ? <code>{environment.currentVersion}</code> : <span className="muted">nothing yet</span>}{" "}
          {environment.deployedAt ? <Time date={dateOf(environment.deployedAt)} /> : null}
        </dd>
        {pending ? (
          <>
            <dt>Run</dt>
            <dd>
              <code>{pending.version}</code> dispatched just now{" "}
              {pending.htmlUrl ? (
                <a href={pending.htmlUrl} target="_blank" rel="noreferrer">
                  run on GitHub
                </a>
              ) : null}
            </dd>
          </>
        ) : run ? (
          <>
            <dt>Latest run</dt>
            <dd>
              <code>{run.version}</code> by <strong>{run.actor || "someone"}</strong>{" "}
              <Time date={dateOf(run.completedAt) ?? dateOf(run.startedAt)} />
              {run.job ? (
                <span className="muted">
                  {" "}
                  · job {run.job.name}: {run.job.conclusion || run.job.status}
                </span>
              ) : null}
            </dd>
          </>
        ) : null}
      </dl>
      <div className="stage__links">
        {run?.htmlUrl ? (
          <a href={run.job?.htmlUrl || run.htmlUrl} target="_blank" rel="noreferrer">
            {run.job?.htmlUrl ? "Job logs on GitHub" : "Run on GitHub"}
          </a>
        ) : null}
        {environment.htmlUrl ? (
          <a href={environment.htmlUrl} target="_blank" rel="noreferrer" className="muted">
            All runs
          </a>
        ) : null}
      </div>
      {environment.state === DeploymentState.WAITING_APPROVAL && !pending ? (
        <ApprovalPanel key={String(run?.runId)} service={props.service} environment={environment} approvals={props.approvals} />
      ) : null}
    </li>
  );
}
