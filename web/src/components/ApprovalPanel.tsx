import { useId, useState } from "react";
import { useAction } from "../api/use-call.js";
import { useGateway } from "../api/context.js";
import { ReviewDecision } from "../gen/idp/plugins/v1/deployments_pb.js";
import type { EnvironmentStatus, PendingApproval } from "../gen/idp/plugins/v1/deployments_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";

export interface ApprovalPanelProps {
  readonly service: string;
  readonly environment: EnvironmentStatus;
  /** The gates as read with the user's own GitHub token (knows current_user_can_approve). */
  readonly approvals: readonly PendingApproval[];
}

/** Approve or reject inline when the user may review; otherwise who can. */
export function ApprovalPanel({ service, environment, approvals }: ApprovalPanelProps) {
  const { deployments, workspaceId } = useGateway();
  const [comment, setComment] = useState("");
  const [done, setDone] = useState<string | undefined>(undefined);
  const commentId = useId();
  const runId = environment.activeRun?.runId ?? 0n;
  const review = useAction((decision: ReviewDecision) =>
    deployments.reviewDeployment({ workspaceId, service, environment: environment.environment, runId, decision, comment }),
  );
  const canApprove = approvals.some((approval) => approval.currentUserCanApprove);
  const reviewers = [...new Set(approvals.flatMap((approval) => approval.reviewers.map((reviewer) => reviewer.name)))];
  const timer = approvals.find((approval) => approval.waitTimerMinutes > 0);

  const submit = async (decision: ReviewDecision) => {
    const answer = await review.run(decision);
    if (answer) setDone(decision === ReviewDecision.APPROVE ? "Approved — the run continues." : "Rejected — the run stops.");
  };

  if (done)
    return (
      <p className="approval approval--done" role="status">
        {done}
      </p>
    );
  return (
    // biome-ignore lint/a11y/useSemanticElements: a styled group of controls; a fieldset would bring its own border and legend layout.
    <div className="approval" role="group" aria-label={`Approval for ${environment.environment}`}>
      <p className="approval__who">
        {reviewers.length > 0 ? (
          <>
            Needs a review by <strong>{reviewers.join(", ")}</strong>
          </>
        ) : (
          "Waiting at the environment's protection rules"
        )}
        {timer ? ` · wait timer ${timer.waitTimerMinutes} min` : null}
      </p>
      {canApprove ? (
        <>
          <label className="field__label" htmlFor={commentId}>
            Comment
          </label>
          <textarea
            id={commentId}
            className="input approval__comment"
            rows={2}
            value={comment}
            onChange={(event) => setComment(event.target.value)}
            placeholder="Why (optional)"
          />
          <div className="row">
            <button
              type="button"
              className="button button--approve"
              disabled={review.busy}
              onClick={() => void submit(ReviewDecision.APPROVE)}
            >
              Approve
            </button>
            <button
              type="button"
              className="button button--reject"
              disabled={review.busy}
              onClick={() => void submit(ReviewDecision.REJECT)}
            >
              Reject
            </button>
          </div>
        </>
      ) : (
        <p className="muted">You are not a required reviewer here (or Orbit did not pass your GitHub token).</p>
      )}
      {review.error ? <ErrorNotice error={review.error} compact /> : null}
    </div>
  );
}
