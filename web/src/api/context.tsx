import { createContext, useContext, useMemo, useRef } from "react";
import type { ReactNode } from "react";
import { createGatewayClients } from "./clients.js";
import type { GatewayClients, TokenSource } from "./clients.js";

export interface OrbitGateway extends GatewayClients {
  readonly workspaceId: string;
}

const GatewayContext = createContext<OrbitGateway | undefined>(undefined);

export interface OrbitGatewayProviderProps {
  /** The plugins gateway's base URL. */
  readonly baseUrl: string;
  /** The workspace every call acts in (must equal the token's `wid`). */
  readonly workspaceId: string;
  /** The Orbit service token, or a callback returning the current one (called before each request). */
  readonly token?: string | undefined;
  readonly getToken?: (() => string | undefined | Promise<string | undefined>) | undefined;
  /** Optional: the user's own GitHub token (needed to approve); a value or a callback. */
  readonly githubToken?: string | undefined;
  readonly getGitHubToken?: (() => string | undefined | Promise<string | undefined>) | undefined;
  readonly children: ReactNode;
}

/** Gives every component below it the gateway clients, authenticated as the host says. */
export function OrbitGatewayProvider(props: OrbitGatewayProviderProps) {
  // The latest credentials, read by the clients before each request: a host passing a new
  // callback (or a refreshed token) on every render must not restart the live streams.
  const credentials = useRef<{ token: TokenSource; githubToken: TokenSource | undefined }>({ token: "", githubToken: undefined });
  credentials.current = { token: props.getToken ?? props.token ?? "", githubToken: props.getGitHubToken ?? props.githubToken };
  const clients = useMemo(
    () =>
      createGatewayClients({
        baseUrl: props.baseUrl,
        token: () => resolve(credentials.current.token),
        githubToken: () => resolve(credentials.current.githubToken),
      }),
    [props.baseUrl],
  );
  const value = useMemo<OrbitGateway>(() => ({ workspaceId: props.workspaceId, ...clients }), [clients, props.workspaceId]);
  return <GatewayContext.Provider value={value}>{props.children}</GatewayContext.Provider>;
}

function resolve(source: TokenSource | undefined): string | undefined | Promise<string | undefined> {
  return typeof source === "function" ? source() : source;
}

export function useGateway(): OrbitGateway {
  const gateway = useContext(GatewayContext);
  if (!gateway) throw new Error("Orbit components need an <OrbitGatewayProvider> above them");
  return gateway;
}
