import { useId, useState } from "react";
import type { FormEvent } from "react";
import { explainError } from "../api/errors.js";
import { formOfSchema, labelOf } from "../api/json-schema.js";
import { useGateway } from "../api/context.js";
import { useAction, useCall } from "../api/use-call.js";
import type { Plugin } from "../gen/idp/plugins/v1/plugins_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";

export interface PluginSettingsFormProps {
  readonly plugin: Plugin;
  readonly onSaved: (plugin: Plugin | undefined) => void;
}

/**
 * A form generated from the plugin's JSON schema. Enabling sends the configuration;
 * saving sends only what changed (merge semantics) with `expected_version`, so a
 * concurrent edit is refused instead of lost. Secrets are write-only: the field shows
 * whether one is set, never its value, and stays empty unless the admin types a new one.
 */
export function PluginSettingsForm({ plugin, onSaved }: PluginSettingsFormProps) {
  const { plugins, workspaceId } = useGateway();
  const formId = useId();
  const schema = useCall(
    (signal) => plugins.getPluginSchema({ pluginId: plugin.id }, { signal }).then((answer) => formOfSchema(answer.jsonSchema)),
    [plugin.id],
  );
  const [config, setConfig] = useState<Record<string, string>>({ ...plugin.config });
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [cleared, setCleared] = useState<Set<string>>(new Set());
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const save = useAction(async () => {
    const changedConfig = Object.fromEntries(Object.entries(config).filter(([key, value]) => value !== (plugin.config[key] ?? "")));
    const changedSecrets = Object.fromEntries([
      ...Object.entries(secrets).filter(([, value]) => value !== ""),
      ...[...cleared].map((key) => [key, ""] as const),
    ]);
    if (!plugin.enabled) {
      const enabled = await plugins.enablePlugin({ workspaceId, pluginId: plugin.id, config: { ...plugin.config, ...changedConfig } });
      if (Object.keys(changedSecrets).length === 0) return enabled.plugin;
      const updated = await plugins.updatePluginConfig({ workspaceId, pluginId: plugin.id, secrets: changedSecrets });
      return updated.plugin;
    }
    const answer = await plugins.updatePluginConfig({
      workspaceId,
      pluginId: plugin.id,
      config: changedConfig,
      secrets: changedSecrets,
      expectedVersion: plugin.configVersion,
    });
    return answer.plugin;
  });
  const fieldErrors = save.error ? explainError(save.error).fields : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(undefined);
    const answer = await save.run();
    if (answer) {
      setSecrets({});
      setCleared(new Set());
      setSaved(plugin.enabled ? "Settings saved." : `${plugin.name} enabled.`);
      onSaved(answer);
    }
  };

  if (schema.status === "error") return <ErrorNotice error={schema.error} onRetry={schema.reload} />;
  if (!schema.data) return <p className="loading">Loading the settings form…</p>;
  const { fields, secrets: secretNames } = schema.data;
  return (
    <form className="plugin-form" onSubmit={(event) => void submit(event)} aria-label={`Settings of ${plugin.name}`} noValidate>
      <div className="grid">
        {fields.map((field) => {
          const id = `${formId}-${field.name}`;
          const error = fieldErrors[field.name] ?? fieldErrors[`config.${field.name}`];
          const value = config[field.name] ?? "";
          return (
            <div className="field" key={field.name}>
              <label className="field__label" htmlFor={id}>
                {labelOf(field.name)}
                {field.required ? <span aria-hidden="true"> *</span> : null}
              </label>
              {field.options ? (
                <select
                  id={id}
                  className="input"
                  value={value}
                  onChange={(event) => setConfig({ ...config, [field.name]: event.target.value })}
                >
                  <option value="">—</option>
                  {field.options.map((option) => (
                    <option key={option}>{option}</option>
                  ))}
                </select>
              ) : field.type === "boolean" ? (
                <input
                  id={id}
                  type="checkbox"
                  checked={value === "true"}
                  onChange={(event) => setConfig({ ...config, [field.name]: String(event.target.checked) })}
                />
              ) : (
                <input
                  id={id}
                  name={field.name}
                  className={`input${error ? " input--invalid" : ""}`}
                  type={field.format === "uri" ? "url" : field.type === "string" ? "text" : "number"}
                  value={value}
                  placeholder={field.defaultValue}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={`${id}-hint`}
                  onChange={(event) => setConfig({ ...config, [field.name]: event.target.value })}
                />
              )}
              <p className="field__hint" id={`${id}-hint`}>
                {field.description}
              </p>
              {error ? <p className="field__error">{error}</p> : null}
            </div>
          );
        })}
      </div>
      {secretNames.length > 0 ? (
        <fieldset className="secrets">
          <legend>Secrets (write-only)</legend>
          {secretNames.map((name) => {
            const id = `${formId}-secret-${name}`;
            const isSet = plugin.secretKeysSet.includes(name) && !cleared.has(name);
            return (
              <div className="field" key={name}>
                <label className="field__label" htmlFor={id}>
                  {labelOf(name)}{" "}
                  <span className={`pill ${isSet ? "pill--ok" : ""}`} data-testid={`secret-state-${name}`}>
                    {isSet ? "set" : "not set"}
                  </span>
                </label>
                <div className="row">
                  <input
                    id={id}
                    name={name}
                    className="input"
                    type="password"
                    autoComplete="new-password"
                    value={secrets[name] ?? ""}
                    placeholder={isSet ? "Type a new value to replace it" : "Not set"}
                    onChange={(event) => setSecrets({ ...secrets, [name]: event.target.value })}
                  />
                  {plugin.secretKeysSet.includes(name) ? (
                    <button
                      type="button"
                      className="button button--small"
                      aria-pressed={cleared.has(name)}
                      onClick={() => {
                        const next = new Set(cleared);
                        if (next.has(name)) next.delete(name);
                        else next.add(name);
                        setCleared(next);
                      }}
                    >
                      {cleared.has(name) ? "Keep" : "Remove"}
                    </button>
                  ) : null}
                </div>
              </div>
            );
          })}
        </fieldset>
      ) : null}
      {save.error && Object.keys(fieldErrors).length === 0 ? <ErrorNotice error={save.error} /> : null}
      {save.error && Object.keys(fieldErrors).length > 0 ? <p className="field__error">{explainError(save.error).message}</p> : null}
      <div className="row">
        <button type="submit" className="button button--primary" disabled={save.busy}>
          {plugin.enabled ? "Save settings" : `Enable ${plugin.name}`}
        </button>
        {saved ? (
          <span role="status" className="muted">
            {saved}
          </span>
        ) : null}
      </div>
    </form>
  );
}
