import { useEffect, useId, useState } from "react";
import { explainError } from "../api/errors.js";
import { useGateway } from "../api/context.js";
import { useCall } from "../api/use-call.js";
import { VersionKind } from "../gen/idp/plugins/v1/deployments_pb.js";
import type { DeployableVersion } from "../gen/idp/plugins/v1/deployments_pb.js";
import { ErrorNotice } from "./ErrorNotice.js";

const SHA = /^[0-9a-f]{7,40}$/i;
const DEBOUNCE_MS = 250;

export interface VersionPickerProps {
  readonly service: string;
  readonly environment: string;
  readonly value: DeployableVersion | undefined;
  readonly onChange: (version: DeployableVersion | undefined) => void;
}

/** What a version deploys as: the tag name, or the full SHA of a commit. */
export const versionRef = (version: DeployableVersion) => (version.kind === VersionKind.TAG ? version.name : version.sha);

/**
 * A searchable list of tags and the last 50 commits (ListVersions with `query`), with
 * arrow keys and Enter; a SHA typed by hand is checked against GitHub (ListVersions with
 * `sha`) before it can be chosen.
 */
export function VersionPicker({ service, environment, value, onChange }: VersionPickerProps) {
  const { deployments, workspaceId } = useGateway();
  const inputId = useId();
  const listId = useId();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [shaError, setShaError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const versions = useCall(
    (signal) => deployments.listVersions({ workspaceId, service, environment, query }, { signal }).then((answer) => answer.versions),
    [service, environment, query],
  );
  // After a failure the previous answer would mislead: show the error alone.
  const list = versions.status === "error" ? [] : (versions.data ?? []);
  const typedSha = SHA.test(text.trim()) && !list.some((version) => version.sha.startsWith(text.trim().toLowerCase())) ? text.trim() : "";
  const optionCount = list.length + (typedSha ? 1 : 0);

  const choose = (version: DeployableVersion) => {
    onChange(version);
    setText(version.name);
    setOpen(false);
    setShaError(undefined);
  };
  const checkSha = async (sha: string) => {
    setChecking(true);
    setShaError(undefined);
    try {
      const { versions: found } = await deployments.listVersions({ workspaceId, service, environment, sha });
      if (found[0]) choose(found[0]);
      else setShaError(`No commit ${sha} in this repository`);
    } catch (error) {
      setShaError(explainError(error).message);
    } finally {
      setChecking(false);
    }
  };
  const pick = (index: number) => {
    const version = list[index];
    if (version) choose(version);
    else if (typedSha) void checkSha(typedSha);
  };

  return (
    <div className="picker">
      <label className="field__label" htmlFor={inputId}>
        Version
      </label>
      <input
        id={inputId}
        className={`input${shaError ? " input--invalid" : ""}`}
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && optionCount > 0 ? `${listId}-${active}` : undefined}
        aria-invalid={shaError ? true : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder="Search tags and commits, or paste a SHA"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(0);
          setShaError(undefined);
          if (value) onChange(undefined);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
            setActive((index) => Math.min(index + 1, optionCount - 1));
          } else if (event.key === "ArrowUp") {
            event.preventDefault();
            setActive((index) => Math.max(index - 1, 0));
          } else if (event.key === "Enter" && open && optionCount > 0) {
            event.preventDefault();
            pick(active);
          } else if (event.key === "Escape") {
            setOpen(false);
          }
        }}
      />
      {shaError ? (
        <p className="field__error" role="alert">
          {shaError}
        </p>
      ) : null}
      {checking ? <p className="muted">Checking the commit on GitHub…</p> : null}
      {open ? (
        <ul
          className="picker__list"
          id={listId}
          role="listbox"
          aria-label="Versions"
          aria-busy={versions.status === "loading" || text.trim() !== query}
          data-query={query}
        >
          {versions.status === "loading" && list.length === 0 ? <li className="picker__note">Loading versions…</li> : null}
          {versions.status === "error" ? (
            <li className="picker__note">
              <ErrorNotice error={versions.error} onRetry={versions.reload} compact />
            </li>
          ) : null}
          {versions.status === "done" && optionCount === 0 ? <li className="picker__note">No tag or commit matches “{query}”.</li> : null}
          {list.map((version, index) => (
            <li
              key={`${version.kind}:${version.name}`}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={`picker__option${index === active ? " picker__option--active" : ""}`}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => choose(version)}
            >
              <span className={`kind kind--${version.kind === VersionKind.TAG ? "tag" : "commit"}`}>
                {version.kind === VersionKind.TAG ? "tag" : "commit"}
              </span>
              <code>{version.name}</code>
              <span className="picker__message">{version.message}</span>
              {version.author ? <span className="muted picker__author">{version.author}</span> : null}
            </li>
          ))}
          {typedSha ? (
            <li
              id={`${listId}-${list.length}`}
              role="option"
              aria-selected={active === list.length}
              className={`picker__option${active === list.length ? " picker__option--active" : ""}`}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => void checkSha(typedSha)}
            >
              <span className="kind kind--commit">sha</span>
              Use commit <code>{typedSha}</code> (checked on GitHub)
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
