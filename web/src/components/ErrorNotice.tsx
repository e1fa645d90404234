import { useEffect, useState } from "react";
import { duration, explainError } from "../api/errors.js";

export interface ErrorNoticeProps {
  readonly error: unknown;
  /** Offered as a button (after the retry delay, when the gateway named one). */
  readonly onRetry?: (() => void) | undefined;
  readonly compact?: boolean;
}

/** The RPC's own message, what to do about it, and a retry that waits for RetryInfo's delay. */
export function ErrorNotice({ error, onRetry, compact }: ErrorNoticeProps) {
  const explained = explainError(error);
  const [wait, setWait] = useState(explained.retryAfterSeconds ?? 0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new error restarts the countdown even when its delay equals the last one's.
  useEffect(() => {
    setWait(explained.retryAfterSeconds ?? 0);
    if (!explained.retryAfterSeconds) return;
    const timer = setInterval(() => setWait((left) => (left <= 1 ? (clearInterval(timer), 0) : left - 1)), 1000);
    return () => clearInterval(timer);
  }, [error, explained.retryAfterSeconds]);
  return (
    <div className={`notice notice--error${compact ? " notice--compact" : ""}`} role="alert" data-code={explained.code}>
      <strong className="notice__title">{explained.title}</strong>
      <span className="notice__message">{explained.message}</span>
      <span className="notice__advice">{wait > 0 ? `Retry possible in ${duration(wait)}.` : explained.advice}</span>
      {onRetry ? (
        <button type="button" className="button button--small" onClick={onRetry} disabled={wait > 0}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
