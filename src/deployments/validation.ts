import { errors } from "../lib/errors.js";

/**
 * Checks of DeploymentService requests, before anything reaches the sidecar. Every
 * refusal is INVALID_ARGUMENT naming the field (proto names, as clients write them).
 * Deeper checks (does the repository exist, does the workflow accept these inputs)
 * are the plugin's: only it asks GitHub.
 */

/** Service and environment names, as deployments.proto defines them (at most 63 characters, like the plugin). */
const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const MAX_NAME = 63;
/** GitHub's owner and repository names. */
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
const SHA = /^[0-9a-fA-F]{4,40}$/;
/** GitHub accepts at most 25 workflow_dispatch inputs; the version input is always one of them. */
export const MAX_EXTRA_INPUTS = 24;
export const MAX_PAGE_SIZE = 100;

export function requireName(field: string, value: string): string {
  if (value === "") throw errors.missingField(field);
  if (value.length > MAX_NAME || !NAME.test(value)) {
    throw errors.invalidField(field, `must match [a-z0-9][a-z0-9._-]* and have at most ${MAX_NAME} characters`);
  }
  return value;
}

export function optionalName(field: string, value: string): string | undefined {
  return value === "" ? undefined : requireName(field, value);
}

export function requireRepository(field: string, value: string): string {
  if (value === "") throw errors.missingField(field);
  if (!REPOSITORY.test(value)) throw errors.invalidField(field, 'must be "owner/name" of a GitHub repository');
  return value;
}

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

/** A GitHub REST base URL (GitHub Enterprise Server: https://HOST/api/v3). */
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

export function optionalSha(field: string, value: string): string | undefined {
  if (value === "") return undefined;
  if (!SHA.test(value)) throw errors.invalidField(field, "must be a full or abbreviated commit SHA (4 to 40 hexadecimal digits)");
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

/** 0 means the plugin's default (20). */
export function pageSizeOf(field: string, value: number): number | undefined {
  if (value === 0) return undefined;
  if (value < 1 || value > MAX_PAGE_SIZE) throw errors.invalidField(field, `must be between 1 and ${MAX_PAGE_SIZE} (0 means 20)`);
  return value;
}

export function workflowInputsOf(field: string, inputs: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const entries = Object.entries(inputs);
  if (entries.length === 0) return undefined;
  if (entries.length > MAX_EXTRA_INPUTS) {
    throw errors.invalidField(field, `has ${entries.length} entries; GitHub accepts at most 25 workflow inputs in all, including the version input`);
  }
  for (const [name, value] of entries) {
    if (name.trim() === "" || name.length > 100) throw errors.invalidField(`${field} key`, "must be 1 to 100 characters");
    // Values may be multi-line; GitHub bounds all inputs together at 65,535 characters.
    if (value.length > 65_535) throw errors.invalidField(`${field}["${name.slice(0, 40)}"]`, "must have at most 65535 characters");
  }
  return Object.fromEntries(entries);
}
