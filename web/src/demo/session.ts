/** What the demo page needs to call the gateway; Orbit passes the same through props instead. */
export interface DemoSession {
  readonly gatewayUrl: string;
  readonly workspaceId: string;
  readonly token: string;
  readonly githubToken: string;
}

const KEY = "orbit-demo-session";

/**
 * Reads `#gateway=…&workspace=…&token=…&github=…` once (a fragment never reaches any
 * server, so the tokens stay out of access logs), keeps it for this tab only, and
 * removes it from the address bar and history.
 */
export function takeSession(location: Location, history: History, storage: Storage): DemoSession | undefined {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (fragment.has("token")) {
    const session: DemoSession = {
      gatewayUrl: fragment.get("gateway") || location.origin,
      workspaceId: fragment.get("workspace") || "dev-workspace",
      token: fragment.get("token") ?? "",
      githubToken: fragment.get("github") ?? "",
    };
    storage.setItem(KEY, JSON.stringify(session));
    history.replaceState(null, "", `${location.pathname}${location.search}#/deployments`);
    return session;
  }
  const stored = storage.getItem(KEY);
  return stored ? (JSON.parse(stored) as DemoSession) : undefined;
}
