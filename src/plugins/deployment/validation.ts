import { errors } from "../../lib/errors.js";
import {
  MAX_EXTRA_INPUTS,
  MAX_INPUT_VALUE,
  MAX_PAGE_SIZE,
  MAX_WORKFLOW_INPUTS,
  INPUT_NAME_PATTERN,
  INPUT_NAME_RULE,
  NAME_PATTERN,
  NAME_RULE,
  REPOSITORY_PATTERN,
  REF_PATTERN,
  REF_RULE,
  REPOSITORY_RULE,
  SHA_PATTERN,
  SHA_RULE,
  VERSION_PATTERN,
  VERSION_RULE,
  WORKFLOW_PATTERN,
  WORKFLOW_RULE,
} from "./contract.js";

/**
 * Shape checks of DeploymentService requests at the edge, before anything reaches the
 * sidecar: every refusal is INVALID_ARGUMENT naming the field as clients write it
 * (proto names) in a BadRequest field violation. The patterns and limits are the
 * plugin's own (`contract.js` → deployment-common's rules.ts), so both sides judge a
 * value alike; the plugin checks the rest (does the repository exist, which inputs
 * the workflow takes, the exact input count with the environment's own input).
 */

export function requireName(field: string, value: string): string {
  if (value === "") throw errors.missingField(field);
  if (!NAME_PATTERN.test(value)) throw errors.invalidField(field, NAME_RULE);
  return value;
}

export function optionalName(field: string, value: string): string | undefined {
  return value === "" ? undefined : requireName(field, value);
}

export function requireRepository(field: string, value: string): string {
  if (value === "") throw errors.missingField(field);
  if (!REPOSITORY_PATTERN.test(value)) throw errors.invalidField(field, REPOSITORY_RULE);
  return value;
}

export function requireVersion(field: string, value: string): string {
  if (value === "") throw errors.missingField(field);
  if (!VERSION_PATTERN.test(value)) throw errors.invalidField(field, VERSION_RULE);
  return value;
}

/** An optional field that, when given, must match one of the contract's patterns. */
function optionalMatch(pattern: RegExp, rule: string) {
  return (field: string, value: string): string | undefined => {
    if (value === "") return undefined;
    if (!pattern.test(value)) throw errors.invalidField(field, rule);
    return value;
  };
}

export const optionalRef = optionalMatch(REF_PATTERN, REF_RULE);
export const optionalInputName = optionalMatch(INPUT_NAME_PATTERN, INPUT_NAME_RULE);
/** The environment input may also be "-": the workflow takes no environment input. */
export const optionalEnvironmentInput = (field: string, value: string) => (value === "-" ? value : optionalInputName(field, value));

export function requireWorkflow(field: string, value: string): string {
  if (value === "") throw errors.missingField(field);
  if (!WORKFLOW_PATTERN.test(value)) throw errors.invalidField(field, WORKFLOW_RULE);
  return value;
}

export function optionalSha(field: string, value: string): string | undefined {
  if (value === "") return undefined;
  if (!SHA_PATTERN.test(value)) throw errors.invalidField(field, SHA_RULE);
  return value;
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
    throw errors.invalidField(
      field,
      `has ${entries.length} entries; GitHub accepts at most ${MAX_WORKFLOW_INPUTS} workflow inputs in all, including the version input`,
    );
  }
  for (const [name, value] of entries) {
    if (name.trim() === "" || name.length > 100) throw errors.invalidField(`${field} key`, "must be 1 to 100 characters");
    if (value.length > MAX_INPUT_VALUE)
      throw errors.invalidField(`${field}["${name.slice(0, 40)}"]`, `must have at most ${MAX_INPUT_VALUE} characters`);
  }
  return Object.fromEntries(entries);
}
