import { createContext, useContext, useMemo } from "react";
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
  const token: TokenSource = props.getToken ?? props.token ?? "";
  const githubToken: TokenSource | undefined = props.getGitHubToken ?? props.githubToken;
  const value = useMemo<OrbitGateway>(
    () => ({ workspaceId: props.workspaceId, ...createGatewayClients({ baseUrl: props.baseUrl, token, githubToken }) }),
    [props.baseUrl, props.workspaceId, token, githubToken],
  );
  return <GatewayContext.Provider value={value}>{props.children}</GatewayContext.Provider>;
}

export function useGateway(): OrbitGateway {
  const gateway = useContext(GatewayContext);
  if (!gateway) throw new Error("Orbit components need an <OrbitGatewayProvider> above them");
  return gateway;
}
