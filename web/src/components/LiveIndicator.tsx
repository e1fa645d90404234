import type { LiveStatus } from "../api/use-pipeline-watch.js";

const LABELS: Record<LiveStatus, string> = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };

export function LiveIndicator({ status, retryInSeconds }: { readonly status: LiveStatus; readonly retryInSeconds?: number | undefined }) {
  return (
    <span className={`live live--${status}`} role="status" aria-live="polite" data-live={status}>
      <span className="live__dot" aria-hidden="true" />
      {LABELS[status]}
      {status === "reconnecting" && retryInSeconds ? <span className="live__hint"> (next try in {retryInSeconds} s)</span> : null}
    </span>
  );
}
