import { errors } from "../lib/errors.js";

/**
 * Field checks every plugin's typed RPCs share (text, URLs, ids); the rules of one
 * plugin's own fields come from its contract's rules.ts.
 */

export function requireText(field: string, value: string, maxLength: number): string {
  if (value.trim() === "") throw errors.missingField(field);
  return optionalText(field, value, maxLength) as string;
}

export function optionalText(field: string, value: string, maxLength: number): string | undefined {
  if (value === "") return undefined;
  if (value.length > maxLength) throw errors.invalidField(field, `must have at most ${maxLength} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw errors.invalidField(field, "must not contain control characters");
  return value;
}

/** An http(s) REST base URL such as https://api.github.com or https://HOST/api/v3. */
export function optionalApiUrl(field: string, value: string): string | undefined {
  if (value === "") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw errors.invalidField(field, "must be an http(s) URL such as https://api.github.com or https://HOST/api/v3");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw errors.invalidField(field, "must be an http(s) URL");
  if (url.username !== "" || url.password !== "") throw errors.invalidField(field, "must not contain credentials");
  return value;
}

export function requirePositiveId(field: string, value: bigint): bigint {
  if (value === 0n) throw errors.missingField(field);
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw errors.invalidField(field, "must be a positive run id");
  return value;
}

export function optionalPositiveId(field: string, value: bigint): bigint | undefined {
  return value === 0n ? undefined : requirePositiveId(field, value);
}
