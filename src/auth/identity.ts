/**
 * The user id of a call made for the workspace itself, with no acting user (the
 * pipeline pollers): the sidecar then gets no X-Orbit-User-Id, and cached answers are
 * shared by the workspace.
 */
export const NO_USER = "";

/** Who is calling, as proven by a verified Orbit service token. */
export interface Identity {
  /** The acting user (`sub`). */
  readonly userId: string;
  /** The workspace the token authorises (`wid`); undefined when the token carries none. */
  readonly workspaceId: string | undefined;
  /** Platform admin (`adm: true`) or workspace admin (`role: "admin"`). */
  readonly isAdmin: boolean;
  /** The token's `jti`, for audit and logs. */
  readonly tokenId: string | undefined;
}

/** The result of checking a request's credentials, before any policy is applied. */
export type AuthOutcome =
  | { readonly kind: "authenticated"; readonly identity: Identity }
  | { readonly kind: "missing" }
  | { readonly kind: "rejected"; readonly reason: string };
