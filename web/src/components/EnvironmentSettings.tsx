import { useEffect, useId, useState } from "react";
import type { FormEvent } from "react";
import { explainError } from "../api/errors.js";
import { useGateway } from "../api/context.js";
import { useAction, useCall } from "../api/use-call.js";
import type { DeploymentEnvironment, Workflow } from "../gen/idp/plugins/v1/deployments_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";

export interface EnvironmentSettingsProps {
  readonly service: string;
  /** Called after a change, so the host can refresh its list of services. */
  readonly onChanged?: (() => void) | undefined;
}

interface Draft {
  name: string;
  order: string;
  repository: string;
  workflow: string;
  job: string;
  githubEnvironment: string;
  ref: string;
  versionInput: string;
  environmentInput: string;
}

const FIELDS: { key: keyof Draft; label: string; hint?: string; required?: boolean }[] = [
  { key: "name", label: "Name", hint: "e.g. staging", required: true },
  { key: "order", label: "Position", hint: "lower deploys first", required: true },
  { key: "repository", label: "Repository", hint: "owner/name", required: true },
  { key: "workflow", label: "Workflow file", hint: "e.g. deploy.yml", required: true },
  { key: "job", label: "Job", hint: "optional: the job that deploys" },
  { key: "githubEnvironment", label: "GitHub environment", hint: "optional: its protection rules gate the deployment" },
  { key: "ref", label: "Ref", hint: "branch or tag dispatched on (default main)" },
  { key: "versionInput", label: "Version input", hint: "default version" },
  { key: "environmentInput", label: "Environment input", hint: 'default environment; "-" for none' },
];

const FIELD_NAMES = FIELDS.map((field) => field.key);

const draftOf = (environment: DeploymentEnvironment | undefined, order: number): Draft => ({
  name: environment?.name ?? "",
  order: String(environment?.order ?? order),
  repository: environment?.repository ?? "",
  workflow: environment?.workflow ?? "",
  job: environment?.job ?? "",
  githubEnvironment: environment?.githubEnvironment ?? "",
  ref: environment?.ref ?? "",
  versionInput: environment?.versionInput ?? "",
  environmentInput: environment?.environmentInput ?? "",
});

/** Where each environment of a service deploys (admin): list, add, edit, delete; GitHub checks each save. */
export function EnvironmentSettings({ service, onChanged }: EnvironmentSettingsProps) {
  const { deployments, workspaceId } = useGateway();
  const [editing, setEditing] = useState<{ original?: DeploymentEnvironment; draft: Draft } | undefined>(undefined);
  const [confirmDelete, setConfirmDelete] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const list = useCall(
    (signal) => deployments.listEnvironments({ workspaceId, service }, { signal }).then((answer) => answer.environments),
    [service],
  );
  const save = useAction((draft: Draft) =>
    deployments.upsertEnvironment({
      workspaceId,
      environment: { ...draft, service, order: Number.parseInt(draft.order, 10) || 0 },
    }),
  );
  const remove = useAction((name: string) => deployments.deleteEnvironment({ workspaceId, service, environment: name }));
  const environments = list.data ?? [];
  const fieldErrors = save.error ? explainError(save.error, FIELD_NAMES).fields : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const answer = await save.run(editing.draft);
    if (answer) {
      setNotice(`${answer.created ? "Added" : "Saved"} ${answer.environment?.name ?? editing.draft.name}; GitHub accepted the workflow.`);
      setEditing(undefined);
      list.reload();
      onChanged?.();
    }
  };
  const doDelete = async (name: string) => {
    const answer = await remove.run(name);
    setConfirmDelete(undefined);
    if (answer) {
      setNotice(`Deleted ${name}.`);
      list.reload();
      onChanged?.();
    }
  };

  return (
    <section className="card" aria-labelledby="environments-title">
      <div className="row row--between">
        <h2 className="card__title" id="environments-title">
          Environments of {service}
        </h2>
        <button
          type="button"
          className="button"
          onClick={() => (setEditing({ draft: draftOf(undefined, environments.length) }), save.clearError(), setNotice(undefined))}
        >
          Add environment
        </button>
      </div>
      {notice ? (
        <p className="notice notice--info" role="status">
          {notice}
        </p>
      ) : null}
      {list.status === "error" ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
      {list.status === "loading" && !list.data ? <p className="loading">Loading environments…</p> : null}
      {list.data && environments.length === 0 ? <p className="empty">No environments yet: add the first one.</p> : null}
      {remove.error ? <ErrorNotice error={remove.error} /> : null}
      {environments.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Name</th>
                <th scope="col">Repository</th>
                <th scope="col">Workflow</th>
                <th scope="col">GitHub environment</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {environments.map((environment) => (
                <tr key={environment.name} data-testid={`environment-row-${environment.name}`}>
                  <td>{environment.order}</td>
                  <td>
                    <strong>{environment.name}</strong>
                  </td>
                  <td>{environment.repository}</td>
                  <td>
                    <code>{environment.workflow}</code>
                    {environment.job ? <span className="muted"> · {environment.job}</span> : null}
                  </td>
                  <td>{environment.githubEnvironment || <span className="muted">none</span>}</td>
                  <td className="table__actions">
                    {confirmDelete === environment.name ? (
                      <>
                        <button
                          type="button"
                          className="button button--danger button--small"
                          onClick={() => void doDelete(environment.name)}
                        >
                          Confirm delete
                        </button>
                        <button type="button" className="button button--small" onClick={() => setConfirmDelete(undefined)}>
                          Cancel
                        </button>
                      </>
                    ) : (
                      <>
                        <button
                          type="button"
                          className="button button--small"
                          aria-label={`Edit ${environment.name}`}
                          onClick={() => (
                            setEditing({ original: environment, draft: draftOf(environment, 0) }), save.clearError(), setNotice(undefined)
                          )}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="button button--small"
                          aria-label={`Delete ${environment.name}`}
                          onClick={() => setConfirmDelete(environment.name)}
                        >
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editing ? (
        <EnvironmentForm
          editing={editing}
          busy={save.busy}
          error={save.error}
          fieldErrors={fieldErrors}
          onChange={(draft) => setEditing({ ...editing, draft })}
          onSubmit={(event) => void submit(event)}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
    </section>
  );
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** The repository's dispatchable workflows (ListWorkflows), offered as the workflow field's suggestions. */
function useWorkflowSuggestions(repository: string): readonly Workflow[] {
  const { deployments, workspaceId } = useGateway();
  const [typed, setTyped] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setTyped(REPOSITORY.test(repository.trim()) ? repository.trim() : ""), 400);
    return () => clearTimeout(timer);
  }, [repository]);
  const answer = useCall(
    (signal) =>
      typed
        ? deployments.listWorkflows({ workspaceId, repository: typed }, { signal }).then((found) => found.workflows)
        : Promise.resolve([]),
    [typed],
  );
  // Suggestions only: a repository GitHub does not know is reported by Save, on its field.
  return answer.status === "done" ? answer.data.filter((workflow) => workflow.acceptsDispatch) : [];
}

function EnvironmentForm(props: {
  editing: { original?: DeploymentEnvironment; draft: Draft };
  busy: boolean;
  error: unknown;
  fieldErrors: Readonly<Record<string, string>>;
  onChange: (draft: Draft) => void;
  onSubmit: (event: FormEvent) => void;
  onCancel: () => void;
}) {
  const formId = useId();
  const { draft, original } = props.editing;
  const workflows = useWorkflowSuggestions(draft.repository);
  const fieldless = props.error !== undefined && !FIELDS.some((field) => props.fieldErrors[field.key]);
  return (
    <form className="env-form" onSubmit={props.onSubmit} aria-label={original ? `Edit ${original.name}` : "New environment"} noValidate>
      <h3>{original ? `Edit ${original.name}` : "New environment"}</h3>
      <div className="grid">
        {FIELDS.map((field) => {
          const id = `${formId}-${field.key}`;
          const error = props.fieldErrors[field.key];
          return (
            <div className="field" key={field.key}>
              <label className="field__label" htmlFor={id}>
                {field.label}
                {field.required ? <span aria-hidden="true"> *</span> : null}
              </label>
              <input
                id={id}
                name={field.key}
                className={`input${error ? " input--invalid" : ""}`}
                value={draft[field.key]}
                readOnly={field.key === "name" && original !== undefined}
                required={field.required}
                inputMode={field.key === "order" ? "numeric" : undefined}
                list={field.key === "workflow" && workflows.length > 0 ? `${formId}-workflows` : undefined}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : field.hint ? `${id}-hint` : undefined}
                onChange={(event) => props.onChange({ ...draft, [field.key]: event.target.value })}
              />
              {field.hint && !error ? (
                <p className="field__hint" id={`${id}-hint`}>
                  {field.hint}
                </p>
              ) : null}
              {error ? (
                <p className="field__error" id={`${id}-error`}>
                  {error}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      <datalist id={`${formId}-workflows`}>
        {workflows.map((workflow) => (
          <option key={workflow.id} value={workflow.path.split("/").pop() ?? workflow.path}>
            {workflow.name}
          </option>
        ))}
      </datalist>
      {fieldless ? <ErrorNotice error={props.error} /> : null}
      <div className="row">
        <button type="submit" className="button button--primary" disabled={props.busy}>
          {props.busy ? "Checking with GitHub…" : "Save"}
        </button>
        <button type="button" className="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
