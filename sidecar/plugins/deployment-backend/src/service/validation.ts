import { InputError } from '@backstage/errors';
import {
  INPUT_NAME_PATTERN,
  INPUT_NAME_RULE,
  MAX_INPUT_VALUE,
  MAX_LABEL,
  MAX_PAGE_SIZE,
  MAX_PAGE_TOKEN,
  MAX_VERSION_QUERY,
  NAME_PATTERN,
  REF_PATTERN,
  REF_RULE,
  REPOSITORY_PATTERN,
  REPOSITORY_RULE,
  SHA_PATTERN,
  SHA_RULE,
  VERSION_PATTERN,
  VERSION_RULE,
  WORKFLOW_PATTERN,
  WORKFLOW_RULE,
} from '@internal/plugin-deployment-common';
import { z } from 'zod';

/**
 * Request validation of the deployment routes. Every schema reports all
 * offending fields at once, in one `InputError` (HTTP 400).
 *
 * The gateway maps protobuf messages, whose unset strings are "", so an empty
 * string in an optional field means "not given" (the default applies).
 */

export { MAX_WORKFLOW_INPUTS, NAME_PATTERN } from '@internal/plugin-deployment-common';

/** A required string: "is required" when absent, `message` when malformed. */
const requiredString = (message: string) =>
  z.string({
    error: issue => (issue.input === undefined ? 'is required' : message),
  });

/** Bodies must be JSON objects; unknown fields are refused, not ignored. */
const body = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: issue => (issue.code === 'invalid_type' ? 'the body must be a JSON object' : undefined),
  });

const name = (what: string) => z.string().regex(NAME_PATTERN, `${what} must match ${NAME_PATTERN.source}`);

const repository = requiredString(REPOSITORY_RULE).regex(REPOSITORY_PATTERN, REPOSITORY_RULE);

const httpUrl = z
  .string()
  .max(2048)
  .refine(value => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'https:' || url.protocol === 'http:') &&
        !url.username &&
        !url.password &&
        !url.search &&
        !url.hash
      );
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials, query or fragment');

/** An optional string field where "" means "not given". */
function optional<T extends z.ZodType<string>>(schema: T) {
  return z.preprocess(value => (value === '' || value === null ? undefined : value), schema.optional());
}

export const environmentInputSchema = body({
  order: z
    .number({
      error: issue => (issue.input === undefined ? 'is required' : 'must be an integer ≥ 0'),
    })
    .int('must be an integer ≥ 0')
    .min(0, 'must be an integer ≥ 0')
    .max(2_147_483_647, 'must be at most 2147483647'),
  repository,
  workflow: requiredString('must be a workflow file name or id').regex(WORKFLOW_PATTERN, WORKFLOW_RULE),
  job: optional(z.string().max(MAX_LABEL, `must be at most ${MAX_LABEL} characters`)),
  githubEnvironment: optional(z.string().max(MAX_LABEL, `must be at most ${MAX_LABEL} characters`)),
  ref: optional(z.string().regex(REF_PATTERN, REF_RULE)),
  versionInput: optional(z.string().regex(INPUT_NAME_PATTERN, INPUT_NAME_RULE)),
  environmentInput: optional(
    z.string().regex(/^(?:-|[A-Za-z_][A-Za-z0-9_-]{0,99})$/, `${INPUT_NAME_RULE} or "-" for none`),
  ),
  githubApiUrl: optional(httpUrl),
});

export const triggerInputSchema = body({
  version: requiredString('must be a string').regex(VERSION_PATTERN, VERSION_RULE),
  inputs: z
    .record(
      z.string().regex(INPUT_NAME_PATTERN, `keys must be workflow input names (${INPUT_NAME_PATTERN.source})`),
      z.string('values must be strings').max(MAX_INPUT_VALUE),
    )
    .optional(),
});

export const reviewInputSchema = body({
  runId: z.number('must be a workflow run id').int().positive('must be a workflow run id'),
  decision: z.enum(['approve', 'reject'], 'must be "approve" or "reject"'),
  comment: z.string().max(MAX_INPUT_VALUE).optional(),
});

export const rollbackInputSchema = body({
  toRunId: z.preprocess(
    value => (value === 0 || value === null ? undefined : value),
    z.number().int().positive('must be a workflow run id').optional(),
  ),
});

export const versionsQuerySchema = z.object({
  query: optional(z.string().max(MAX_VERSION_QUERY, `must be at most ${MAX_VERSION_QUERY} characters`)),
  sha: optional(z.string().regex(SHA_PATTERN, SHA_RULE)),
  environment: optional(name('environment')),
});

export const historyQuerySchema = z.object({
  environment: optional(name('environment')),
  pageSize: optional(
    z
      .string()
      .regex(/^[1-9][0-9]{0,2}$/, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
      .refine(value => Number(value) <= MAX_PAGE_SIZE, `must be an integer from 1 to ${MAX_PAGE_SIZE}`),
  ),
  pageToken: optional(z.string().max(MAX_PAGE_TOKEN)),
});

export const workflowsQuerySchema = z.object({
  repository,
  githubApiUrl: optional(httpUrl),
});

export const pullRequestsQuerySchema = z.object({
  repository,
  state: optional(z.enum(['open', 'closed', 'merged'], 'must be open, closed or merged')),
});

/** Parses `value` or throws an `InputError` naming every offending field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(issue => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    }
    if (issue.code === 'invalid_key') {
      return `${field} is not a workflow input name (${INPUT_NAME_PATTERN.source})`;
    }
    return field ? `${field} ${issue.message}` : issue.message;
  });
  throw new InputError(`Invalid ${what}: ${problems.join('; ')}`);
}

/** Validates a service or environment name taken from the path. */
export function parseName(value: string | undefined, what: 'service' | 'environment'): string {
  if (value === undefined || !NAME_PATTERN.test(value)) {
    throw new InputError(`Invalid ${what} name: must match ${NAME_PATTERN.source}`);
  }
  return value;
}
