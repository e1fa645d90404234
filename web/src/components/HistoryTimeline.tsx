import { useId, useState } from "react";
import { dateOf } from "../api/format.js";
import { useGateway } from "../api/context.js";
import { useAction, useCall } from "../api/use-call.js";
import { DeploymentState } from "../gen/idp/plugins/v1/deployments_pb.js";
import type { DeploymentRecord, DeploymentRun } from "../gen/idp/plugins/v1/deployments_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";
import { StateBadge } from "./StateBadge.js";
import { Time } from "./Time.js";

export interface HistoryTimelineProps {
  readonly service: string;
  readonly environments: readonly string[];
  /** Changes whenever the pipeline changes, so the list follows it. */
  readonly refreshKey?: string | undefined;
  readonly onRolledBack?: ((run: DeploymentRun) => void) | undefined;
}

const PAGE_SIZE = 20;

/** Past deployments, newest first, with a filter and a confirmed one-click rollback. */
export function HistoryTimeline({ service, environments, refreshKey, onRolledBack }: HistoryTimelineProps) {
  const { deployments, workspaceId } = useGateway();
  const environmentId = useId();
  const filterId = useId();
  const [environment, setEnvironment] = useState("");
  const [filter, setFilter] = useState("");
  const [pages, setPages] = useState(1);
  const [confirming, setConfirming] = useState<bigint | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const history = useCall(
    async (signal) => {
      const records: DeploymentRecord[] = [];
      let pageToken = "";
      for (let page = 0; page < pages; page++) {
        const answer = await deployments.listDeploymentHistory(
          { workspaceId, service, environment, pageSize: PAGE_SIZE, pageToken },
          { signal },
        );
        records.push(...answer.deployments);
        pageToken = answer.nextPageToken;
        if (!pageToken) break;
      }
      return { records, more: pageToken !== "" };
    },
    [service, environment, pages, refreshKey],
  );
  const rollback = useAction((record: DeploymentRecord) =>
    deployments.rollbackDeployment({ workspaceId, service, environment: record.environment, toRunId: record.runId }),
  );
  const needle = filter.trim().toLowerCase();
  const records = (history.data?.records ?? []).filter(
    (record) =>
      !needle || [record.version, record.sha, record.actor, record.environment].some((text) => text.toLowerCase().includes(needle)),
  );
  // The newest successful deployment per environment is what runs there now: nothing to roll back to.
  const current = new Map<string, bigint>();
  for (const record of history.data?.records ?? []) {
    if (record.state === DeploymentState.SUCCESS && !current.has(record.environment)) current.set(record.environment, record.runId);
  }

  const confirm = async (record: DeploymentRecord) => {
    const answer = await rollback.run(record);
    setConfirming(undefined);
    if (answer?.run) {
      setMessage(`Rolling ${record.environment} back to ${answer.version} (run #${String(answer.run.runId)}).`);
      onRolledBack?.(answer.run);
      history.reload();
    }
  };

  return (
    <section className="card" aria-labelledby={`${filterId}-title`}>
      <h2 className="card__title" id={`${filterId}-title`}>
        History
      </h2>
      <div className="row row--wrap">
        <div className="field">
          <label className="field__label" htmlFor={environmentId}>
            Environment
          </label>
          <select
            id={environmentId}
            className="input"
            value={environment}
            onChange={(event) => (setEnvironment(event.target.value), setPages(1))}
          >
            <option value="">All environments</option>
            {environments.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--grow">
          <label className="field__label" htmlFor={filterId}>
            Filter
          </label>
          <input
            id={filterId}
            className="input"
            type="search"
            placeholder="Version, SHA or who"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
      </div>
      {message ? (
        <p className="notice notice--info" role="status">
          {message}
        </p>
      ) : null}
      {rollback.error ? <ErrorNotice error={rollback.error} /> : null}
      {history.status === "error" ? <ErrorNotice error={history.error} onRetry={history.reload} /> : null}
      {history.status === "loading" && !history.data ? <p className="loading">Loading history…</p> : null}
      {history.data && records.length === 0 ? (
        <p className="empty">{needle ? "No deployment matches the filter." : "No deployments yet."}</p>
      ) : null}
      <ol className="timeline">
        {records.map((record) => {
          const rollbackable = record.state === DeploymentState.SUCCESS && current.get(record.environment) !== record.runId;
          return (
            <li key={String(record.runId)} className="timeline__item" data-testid={`history-${String(record.runId)}`}>
              <span className={`timeline__mark timeline__mark--${DeploymentState[record.state].toLowerCase()}`} aria-hidden="true" />
              <div className="timeline__body">
                <div className="row row--wrap">
                  <code className="timeline__version">{record.version}</code>
                  <span className="pill">{record.environment}</span>
                  <StateBadge state={record.state} />
                  {record.rollbackOfRunId ? <span className="muted">rollback of #{String(record.rollbackOfRunId)}</span> : null}
                </div>
                <div className="muted">
                  #{String(record.runId)} by {record.actor || "someone"} <Time date={dateOf(record.createdAt)} />
                  {record.htmlUrl ? (
                    <>
                      {" · "}
                      <a href={record.htmlUrl} target="_blank" rel="noreferrer">
                        run on GitHub
                      </a>
                    </>
                  ) : null}
                </div>
              </div>
              {rollbackable ? (
                confirming === record.runId ? (
                  // biome-ignore lint/a11y/useSemanticElements: a styled group of controls; a fieldset would bring its own border and legend layout.
                  <div className="timeline__confirm" role="group" aria-label="Confirm rollback">
                    <span>
                      Redeploy <code>{record.version}</code> to {record.environment}?
                    </span>
                    <button
                      type="button"
                      className="button button--danger button--small"
                      disabled={rollback.busy}
                      onClick={() => void confirm(record)}
                    >
                      Confirm rollback
                    </button>
                    <button type="button" className="button button--small" onClick={() => setConfirming(undefined)}>
                      Cancel
                    </button>
                  </div>
                ) : (
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => (setConfirming(record.runId), setMessage(undefined))}
                  >
                    Roll back to this
                  </button>
                )
              ) : null}
            </li>
          );
        })}
      </ol>
      {history.data?.more ? (
        <button type="button" className="button" onClick={() => setPages((count) => count + 1)}>
          Show older
        </button>
      ) : null}
    </section>
  );
}
