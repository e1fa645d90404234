import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";

/** A random secret for one development run; never persisted. */
export function generateDevelopmentSecret(): string {
  return randomBytes(32).toString("base64url");
}

export interface TokenClaims {
  readonly userId: string;
  readonly workspaceId?: string;
  readonly admin?: boolean;
  readonly role?: string;
  /** Lifetime in seconds; Orbit mints 120 s tokens. */
  readonly ttlSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

/**
 * Mints a token exactly as Orbit's web app does (header `{"alg":"HS256"}`, iss, aud,
 * sub, wid, adm, iat, exp, jti). Used by `npm start` to print a ready-to-use token,
 * and by tests.
 */
export async function mintServiceToken(secret: string, claims: TokenClaims): Promise<string> {
  const payload: Record<string, unknown> = {};
  if (claims.workspaceId !== undefined) payload.wid = claims.workspaceId;
  if (claims.admin) payload.adm = true;
  if (claims.role !== undefined) payload.role = claims.role;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(claims.issuer ?? "orbit-www")
    .setAudience(claims.audience ?? "orbit-services")
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 120}s`)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
}
