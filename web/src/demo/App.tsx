import { lazy, Suspense, useEffect, useState } from "react";
import { OrbitGatewayProvider } from "../api/context.js";
import { DeploymentsPage } from "../components/DeploymentsPage.js";
import type { DemoSession } from "./session.js";

const PluginsAdmin = lazy(() => import("../components/PluginsAdmin.js").then((module) => ({ default: module.PluginsAdmin })));

type Route = "deployments" | "plugins";
const routeOf = (hash: string): Route => (hash.startsWith("#/plugins") ? "plugins" : "deployments");

/** The demo host: what Orbit's own page does around the components. */
export function App({ session }: { readonly session: DemoSession | undefined }) {
  const [route, setRoute] = useState<Route>(routeOf(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(routeOf(window.location.hash));
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);

  if (!session) {
    return (
      <main className="shell">
        <div className="card">
          <h1>Orbit deployments</h1>
          <p>
            Open the link <code>npm run demo</code> printed: it carries a development token in the URL fragment (
            <code>#gateway=…&amp;workspace=…&amp;token=…&amp;github=…</code>).
          </p>
        </div>
      </main>
    );
  }
  return (
    <OrbitGatewayProvider
      baseUrl={session.gatewayUrl}
      workspaceId={session.workspaceId}
      token={session.token}
      githubToken={session.githubToken || undefined}
    >
      <header className="topbar">
        <span className="topbar__brand">Orbit</span>
        <nav className="topbar__nav" aria-label="Main">
          <a href="#/deployments" aria-current={route === "deployments" ? "page" : undefined}>
            Deployments
          </a>
          <a href="#/plugins" aria-current={route === "plugins" ? "page" : undefined}>
            Plugins
          </a>
        </nav>
        <span className="topbar__meta">
          {session.workspaceId}
          {session.githubToken ? " · GitHub linked" : ""}
        </span>
      </header>
      <main className="shell">
        {route === "deployments" ? (
          <DeploymentsPage />
        ) : (
          <Suspense fallback={<p className="loading">Loading…</p>}>
            <PluginsAdmin />
          </Suspense>
        )}
      </main>
    </OrbitGatewayProvider>
  );
}
