import { useState } from "react";
import { useGateway } from "../api/context.js";
import { useAction, useCall } from "../api/use-call.js";
import type { Plugin } from "../gen/idp/plugins/v1/plugins_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";
import { PluginSettingsForm } from "./PluginSettingsForm.js";

/** The workspace's plugin catalogue (admin): enable/disable, settings from the schema, health, audit log. */
export function PluginsAdmin() {
  const { plugins, workspaceId } = useGateway();
  const list = useCall((signal) => plugins.listPlugins({ workspaceId }, { signal }).then((answer) => answer.plugins), []);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const disable = useAction((pluginId: string) => plugins.disablePlugin({ workspaceId, pluginId }));
  const catalogue = list.data ?? [];
  const current = catalogue.find((plugin) => plugin.id === selected);

  return (
    <div className="plugins">
      <section className="card" aria-labelledby="plugins-title">
        <h2 className="card__title" id="plugins-title">
          Plugins
        </h2>
        {list.status === "error" ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
        {list.status === "loading" && !list.data ? <p className="loading">Loading the catalogue…</p> : null}
        {list.data && catalogue.length === 0 ? <p className="empty">The catalogue is empty.</p> : null}
        {disable.error ? <ErrorNotice error={disable.error} /> : null}
        <ul className="plugin-list">
          {catalogue.map((plugin) => (
            <li
              key={plugin.id}
              className={`plugin-item${plugin.id === selected ? " plugin-item--selected" : ""}`}
              data-testid={`plugin-${plugin.id}`}
            >
              <div className="plugin-item__main">
                <div className="row row--wrap">
                  <strong>{plugin.name}</strong>
                  <span className="pill">{plugin.category}</span>
                  <span className={`pill ${plugin.enabled ? "pill--ok" : ""}`} data-testid="plugin-enabled">
                    {plugin.enabled ? "enabled" : "disabled"}
                  </span>
                  <Health plugin={plugin} />
                </div>
                <p className="muted">{plugin.description}</p>
              </div>
              <div className="row">
                <button
                  type="button"
                  className="button button--small"
                  aria-expanded={plugin.id === selected}
                  onClick={() => setSelected(plugin.id === selected ? undefined : plugin.id)}
                >
                  {plugin.enabled ? "Configure" : "Enable…"}
                </button>
                {plugin.enabled ? (
                  <button
                    type="button"
                    className="button button--small button--danger"
                    disabled={disable.busy}
                    onClick={() => void disable.run(plugin.id).then((answer) => answer && list.reload())}
                  >
                    Disable
                  </button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      </section>
      {current ? (
        <section className="card" aria-labelledby="plugin-settings-title">
          <h2 className="card__title" id="plugin-settings-title">
            {current.name}
          </h2>
          <PluginSettingsForm key={`${current.id}:${current.configVersion}`} plugin={current} onSaved={() => list.reload()} />
          <AuditLog plugin={current} />
        </section>
      ) : null}
    </div>
  );
}

function Health({ plugin }: { plugin: Plugin }) {
  const status = plugin.status;
  if (!plugin.enabled || !status) return null;
  return (
    <span className={`health health--${status.healthy ? "ok" : "down"}`} title={status.statusMessage}>
      <span className="health__dot" aria-hidden="true" />
      {status.healthy ? "healthy" : `unhealthy${status.statusMessage ? `: ${status.statusMessage}` : ""}`}
      {status.requestCount > 0 ? (
        <span className="muted">
          {" "}
          · {status.requestCount} calls, {status.errorCount} errors
        </span>
      ) : null}
    </span>
  );
}

function AuditLog({ plugin }: { plugin: Plugin }) {
  const { plugins, workspaceId } = useGateway();
  const log = useCall(
    (signal) => plugins.listPluginAuditLog({ workspaceId, pluginId: plugin.id, limit: 20 }, { signal }).then((answer) => answer.entries),
    [plugin.id, plugin.configVersion, plugin.enabled],
  );
  return (
    <div className="audit">
      <h3>Audit log</h3>
      {log.status === "error" ? <ErrorNotice error={log.error} onRetry={log.reload} compact /> : null}
      {log.data && log.data.length === 0 ? <p className="empty">No changes recorded yet.</p> : null}
      <ol className="audit__list">
        {(log.data ?? []).map((entry, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: audit entries have no id; the list is read whole and never reordered.
          <li key={index}>
            <time dateTime={new Date(Number(entry.at) * 1000).toISOString()}>{new Date(Number(entry.at) * 1000).toLocaleString()}</time>{" "}
            <strong>{entry.actor}</strong> {entry.action}
            {entry.changedConfigKeys.length > 0 ? <span className="muted"> · config: {entry.changedConfigKeys.join(", ")}</span> : null}
            {entry.changedSecretKeys.length > 0 ? <span className="muted"> · secrets: {entry.changedSecretKeys.join(", ")}</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
