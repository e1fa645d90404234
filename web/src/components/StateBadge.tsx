import { STATE_CLASSES, STATE_LABELS } from "../api/format.js";
import type { DeploymentState } from "../gen/idp/plugins/v1/deployments_pb.js";

/** Colour plus a word and a shape, so the state reads without colour too. */
export function StateBadge({ state }: { readonly state: DeploymentState }) {
  return (
    <span className={`badge badge--${STATE_CLASSES[state]}`} data-state={STATE_CLASSES[state]}>
      <span className="badge__dot" aria-hidden="true" />
      {STATE_LABELS[state]}
    </span>
  );
}
