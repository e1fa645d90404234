import { lazy, Suspense, useEffect, useId, useState } from "react";
import { useGateway } from "../api/context.js";
import { useCall } from "../api/use-call.js";
import { DeploymentDashboard } from "./DeploymentDashboard.js";
import { ErrorNotice } from "./ErrorNotice.js";

// Admin-only and rarely opened: its own chunk, outside the dashboard route's bundle.
const EnvironmentSettings = lazy(() => import("./EnvironmentSettings.js").then((module) => ({ default: module.EnvironmentSettings })));

type Tab = "pipeline" | "environments";

export interface DeploymentsPageProps {
  /** The service to open first (default: the first one). */
  readonly initialService?: string | undefined;
}

/** Service picker with the dashboard and the environment configuration of the chosen service. */
export function DeploymentsPage({ initialService }: DeploymentsPageProps) {
  const { deployments, workspaceId } = useGateway();
  const serviceId = useId();
  const newServiceId = useId();
  const services = useCall((signal) => deployments.listServices({ workspaceId }, { signal }).then((answer) => answer.services), []);
  const [service, setService] = useState(initialService ?? "");
  const [tab, setTab] = useState<Tab>("pipeline");
  const [newService, setNewService] = useState("");
  const names = (services.data ?? []).map((entry) => entry.name);
  useEffect(() => {
    if (!service && names[0]) setService(names[0]);
  }, [service, names]);
  const options = service && !names.includes(service) ? [...names, service] : names;

  return (
    <div className="page">
      <div className="toolbar">
        <div className="field">
          <label className="field__label" htmlFor={serviceId}>
            Service
          </label>
          <select
            id={serviceId}
            className="input"
            value={service}
            onChange={(event) => setService(event.target.value)}
            disabled={options.length === 0}
          >
            {options.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div
          className="tabs"
          role="tablist"
          aria-label="Service views"
          onKeyDown={(event) => {
            // Arrow keys move between tabs (WAI-ARIA tabs pattern).
            if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
            const next: Tab = tab === "pipeline" ? "environments" : "pipeline";
            setTab(next);
            document.getElementById(`tab-${next}`)?.focus();
          }}
        >
          {(["pipeline", "environments"] as const).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              id={`tab-${name}`}
              aria-selected={tab === name}
              aria-controls={`panel-${name}`}
              tabIndex={tab === name ? 0 : -1}
              className={`tab${tab === name ? " tab--active" : ""}`}
              onClick={() => setTab(name)}
            >
              {name === "pipeline" ? "Pipeline" : "Environments"}
            </button>
          ))}
        </div>
      </div>
      {services.status === "error" ? <ErrorNotice error={services.error} onRetry={services.reload} /> : null}
      {services.status === "loading" && !services.data ? <p className="loading">Loading services…</p> : null}
      {services.data && names.length === 0 && !service ? (
        <form
          className="card empty"
          onSubmit={(event) => {
            event.preventDefault();
            if (newService.trim()) setService(newService.trim()), setTab("environments");
          }}
        >
          <p>No service has a deployment environment yet. Name one to configure its first environment (admin).</p>
          <div className="row">
            <label className="sr-only" htmlFor={newServiceId}>
              New service name
            </label>
            <input
              id={newServiceId}
              className="input"
              placeholder="e.g. checkout"
              value={newService}
              onChange={(event) => setNewService(event.target.value)}
            />
            <button type="submit" className="button">
              Configure
            </button>
          </div>
        </form>
      ) : null}
      {service ? (
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
          {tab === "pipeline" ? (
            <DeploymentDashboard service={service} />
          ) : (
            <Suspense fallback={<p className="loading">Loading…</p>}>
              <EnvironmentSettings service={service} onChanged={services.reload} />
            </Suspense>
          )}
        </div>
      ) : null}
    </div>
  );
}
