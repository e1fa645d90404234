import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import type { JWTPayload, JWTVerifyGetKey } from "jose";
import type { AuthOutcome, Identity } from "./identity.js";

/** Tokens beyond this size are refused before any parsing (Orbit's are ~400 bytes). */
export const MAX_TOKEN_BYTES = 8 * 1024;

export type TokenVerifierOptions = {
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceMs: number;
  /** The clock, in ms since the epoch (tests move it). */
  readonly now?: () => number;
} & (
  | { readonly mode: "shared-secret"; readonly secret: string }
  | { readonly mode: "jwks"; readonly jwksUrl: string; readonly algorithms: readonly string[] }
);

export interface TokenVerifier {
  /**
   * Checks the Authorization header values of a request (every occurrence, so a
   * second header cannot smuggle a token past a proxy that reads only the first).
   */
  verify(authorizationValues: readonly string[]): Promise<AuthOutcome>;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  // One algorithm per mode: an HS256 secret can never verify an RS token or vice versa.
  const { key, algorithms } =
    options.mode === "shared-secret"
      ? { key: new TextEncoder().encode(options.secret), algorithms: ["HS256"] }
      : { key: createRemoteJWKSet(new URL(options.jwksUrl)) as JWTVerifyGetKey, algorithms: [...options.algorithms] };

  const now = options.now ?? Date.now;
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    requiredClaims: ["exp", "sub"],
    clockTolerance: Math.round(options.clockToleranceMs / 1000),
  };

  // Orbit reuses a token for its whole (short) life: a token verified once stays
  // valid until its exp, so the signature check need not run on every call.
  const verified = new LRUCache<string, { outcome: AuthOutcome; validUntilMs: number }>({ max: 10_000 });

  return {
    async verify(authorizationValues) {
      if (authorizationValues.length === 0) return { kind: "missing" };
      if (authorizationValues.length > 1) return rejected("more than one Authorization header was sent");
      const header = authorizationValues[0] ?? "";
      const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
      if (!match?.[1]) return rejected('the Authorization header must be "Bearer <token>"');
      const token = match[1];
      if (token.length > MAX_TOKEN_BYTES) return rejected("the token is too large");
      if (token.split(".").length !== 3) return rejected("the token is not a signed JWT (three segments)");
      const known = verified.get(token);
      if (known && now() < known.validUntilMs) return known.outcome;
      try {
        const at = { ...verifyOptions, currentDate: new Date(now()) };
        const { payload } = typeof key === "function" ? await jwtVerify(token, key, at) : await jwtVerify(token, key, at);
        const outcome = identityFrom(payload);
        if (outcome.kind === "authenticated" && typeof payload.exp === "number") {
          verified.set(token, { outcome, validUntilMs: payload.exp * 1000 + options.clockToleranceMs });
        }
        return outcome;
      } catch (error) {
        return rejected(describe(error));
      }
    },
  };
}

function identityFrom(payload: JWTPayload): AuthOutcome {
  const { sub, wid, adm, role, jti } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== "string" || sub === "") return rejected("the sub claim must be a non-empty string");
  if (wid !== undefined && (typeof wid !== "string" || wid === "")) {
    return rejected("the wid claim must be a non-empty string");
  }
  if (adm !== undefined && typeof adm !== "boolean") return rejected("the adm claim must be a boolean");
  const identity: Identity = {
    userId: sub,
    workspaceId: wid,
    isAdmin: adm === true || role === "admin",
    tokenId: typeof jti === "string" ? jti : undefined,
  };
  return { kind: "authenticated", identity };
}

function rejected(reason: string): AuthOutcome {
  return { kind: "rejected", reason };
}

/** Maps jose's failures to reasons a caller can act on, without echoing the token. */
function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "the token has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return "the token's issuer (iss) is not accepted";
      case "aud":
        return "the token's audience (aud) is not accepted";
      case "nbf":
        return "the token is not valid yet (nbf)";
      case "exp":
        return "the token has no valid expiry (exp)";
      default:
        return `the token's ${error.claim} claim is invalid`;
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "no key of the JWKS matches the token";
  if (error instanceof joseErrors.JWKSTimeout || (error instanceof joseErrors.JOSEError && error.code === "ERR_JWKS_INVALID")) {
    return "the signing keys could not be fetched";
  }
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return "the token is malformed";
  return "the token could not be verified";
}
