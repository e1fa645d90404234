import { createSign, verify, type KeyObject } from 'node:crypto';

export interface AppJwtClaims {
  iss: string;
  iat: number;
  exp: number;
}

const b64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

export const looksLikeJwt = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

/**
 * Verifies an RS256 GitHub App JWT. Returns the claims, or the message GitHub
 * answers with (401) when the token is not acceptable.
 */
export function verifyAppJwt(
  token: string,
  keyFor: (iss: string) => KeyObject | undefined,
  nowSeconds: number,
): { ok: true; claims: AppJwtClaims } | { ok: false; message: string } {
  const undecodable = { ok: false as const, message: 'A JSON web token could not be decoded' };
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return undecodable;
  let header: { alg?: unknown };
  let payload: { iss?: unknown; iat?: unknown; exp?: unknown };
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return undecodable;
  }
  if (header.alg !== 'RS256') return undecodable;
  const iss = typeof payload.iss === 'number' || typeof payload.iss === 'string' ? String(payload.iss) : undefined;
  if (!iss) return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  const key = keyFor(iss);
  if (!key) return { ok: false, message: 'Integration not found' };
  const valid = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  if (!valid) return { ok: false, message: 'A JSON web token could not be decoded' };
  if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds) {
    return {
      ok: false,
      message:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  }
  if (payload.exp > nowSeconds + 600 + 60) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  }
  if (typeof payload.iat !== 'number' || payload.iat > nowSeconds + 60) {
    return {
      ok: false,
      message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  }
  return { ok: true, claims: { iss, iat: payload.iat, exp: payload.exp } };
}

/** Signs an app JWT the way GitHub documents it (iat 60 s in the past, exp ≤ 10 min). For tests and tools. */
export function signAppJwt(
  appId: number | string,
  privateKey: KeyObject | string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iat: nowSeconds - 60, exp: nowSeconds + 540, iss: appId }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(privateKey).toString('base64url')}`;
}
