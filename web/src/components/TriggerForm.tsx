import { useEffect, useId, useState } from "react";
import type { FormEvent } from "react";
import { useGateway } from "../api/context.js";
import { useAction } from "../api/use-call.js";
import type { DeployableVersion, DeploymentRun } from "../gen/idp/plugins/v1/deployments_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";
import { VersionPicker, versionRef } from "./VersionPicker.js";

export interface TriggerFormProps {
  readonly service: string;
  /** Environment names in pipeline order. */
  readonly environments: readonly string[];
  readonly onTriggered: (run: DeploymentRun) => void;
}

/** Environment, version and optional workflow inputs ("name=value" per line). */
export function TriggerForm({ service, environments, onTriggered }: TriggerFormProps) {
  const { deployments, workspaceId } = useGateway();
  const environmentId = useId();
  const inputsId = useId();
  const [environment, setEnvironment] = useState(environments[0] ?? "");
  const [version, setVersion] = useState<DeployableVersion | undefined>(undefined);
  const [inputsText, setInputsText] = useState("");
  const [result, setResult] = useState<DeploymentRun | undefined>(undefined);
  useEffect(() => {
    if (!environments.includes(environment)) setEnvironment(environments[0] ?? "");
  }, [environments, environment]);
  const trigger = useAction(() =>
    deployments.triggerDeployment({
      workspaceId,
      service,
      environment,
      version: version ? versionRef(version) : "",
      inputs: parseInputs(inputsText),
    }),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!version) return;
    setResult(undefined);
    const answer = await trigger.run();
    if (answer?.run) {
      setResult(answer.run);
      onTriggered(answer.run);
    }
  };

  return (
    <form className="card trigger" onSubmit={(event) => void submit(event)} aria-label="Deploy a version">
      <h2 className="card__title">Deploy</h2>
      <div className="trigger__fields">
        <div className="field">
          <label className="field__label" htmlFor={environmentId}>
            Environment
          </label>
          <select id={environmentId} className="input" value={environment} onChange={(event) => setEnvironment(event.target.value)}>
            {environments.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--grow">
          <VersionPicker service={service} environment={environment} value={version} onChange={setVersion} />
        </div>
      </div>
      <details className="trigger__inputs">
        <summary>Workflow inputs (optional)</summary>
        <label className="field__label" htmlFor={inputsId}>
          One <code>name=value</code> per line
        </label>
        <textarea
          id={inputsId}
          className="input"
          rows={2}
          value={inputsText}
          onChange={(event) => setInputsText(event.target.value)}
          spellCheck={false}
        />
      </details>
      <div className="row">
        <button type="submit" className="button button--primary" disabled={!version || !environment || trigger.busy}>
          {trigger.busy ? "Dispatching…" : version ? `Deploy ${version.name} to ${environment}` : "Pick a version"}
        </button>
        {result && !trigger.error ? (
          <span role="status" className="muted">
            Run #{String(result.runId)} dispatched{" "}
            {result.htmlUrl ? (
              <a href={result.htmlUrl} target="_blank" rel="noreferrer">
                on GitHub
              </a>
            ) : null}
          </span>
        ) : null}
      </div>
      {trigger.error ? <ErrorNotice error={trigger.error} /> : null}
    </form>
  );
}

function parseInputs(text: string): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) inputs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return inputs;
}
