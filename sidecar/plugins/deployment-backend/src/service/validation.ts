import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * Request validation of the deployment routes. Every schema reports all
 * offending fields at once, in one `InputError` (HTTP 400).
 *
 * The gateway maps protobuf messages, whose unset strings are "", so an empty
 * string in an optional field means "not given" (the default applies).
 */

/** Service and environment names. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** GitHub owner (user or org) and repository name. */
const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** A workflow file name (`deploy.yml`) or a numeric workflow id. */
const WORKFLOW_PATTERN = /^(?:[A-Za-z0-9._-]{1,250}\.ya?ml|[1-9][0-9]{0,18})$/;
/** A branch or tag name, roughly as `git check-ref-format` allows it. */
const REF_PATTERN = /^(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*@\{)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/+-]{1,255}$/;
/** A workflow_dispatch input name. */
const INPUT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;
/** A full or abbreviated commit SHA. */
const SHA_PATTERN = /^[0-9a-fA-F]{4,40}$/;
/** What a version may look like: a tag, branch or SHA (visible ASCII, no spaces). */
const VERSION_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** GitHub accepts at most 25 workflow_dispatch inputs. */
export const MAX_WORKFLOW_INPUTS = 25;

/** A required string: "is required" when absent, `message` when malformed. */
const requiredString = (message: string) =>
  z.string({
    error: issue => (issue.input === undefined ? 'is required' : message),
  });

/** Bodies must be JSON objects; unknown fields are refused, not ignored. */
const body = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: issue =>
      issue.code === 'invalid_type' ? 'the body must be a JSON object' : undefined,
  });

const name = (what: string) =>
  z.string().regex(NAME_PATTERN, `${what} must match ${NAME_PATTERN.source}`);

const repository = requiredString('must be "owner/name" of a GitHub repository')
  .regex(REPOSITORY_PATTERN, 'must be "owner/name" of a GitHub repository');

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
  return z.preprocess(
    value => (value === '' || value === null ? undefined : value),
    schema.optional(),
  );
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
  workflow: requiredString('must be a workflow file name or id').regex(
    WORKFLOW_PATTERN,
    'must be a workflow file name ending in .yml/.yaml, or a numeric workflow id',
  ),
  job: optional(z.string().max(255, 'must be at most 255 characters')),
  githubEnvironment: optional(z.string().max(255, 'must be at most 255 characters')),
  ref: optional(z.string().regex(REF_PATTERN, 'must be a branch or tag name')),
  versionInput: optional(
    z.string().regex(INPUT_NAME_PATTERN, `must be a workflow input name (${INPUT_NAME_PATTERN.source})`),
  ),
  environmentInput: optional(
    z
      .string()
      .regex(
        /^(?:-|[A-Za-z_][A-Za-z0-9_-]{0,99})$/,
        `must be a workflow input name (${INPUT_NAME_PATTERN.source}) or "-" for none`,
      ),
  ),
  githubApiUrl: optional(httpUrl),
});

export const triggerInputSchema = body({
  version: requiredString('must be a string')
    .regex(VERSION_PATTERN, 'must be a tag, branch or commit SHA (1 to 255 visible characters)'),
  inputs: z
    .record(
      z.string().regex(INPUT_NAME_PATTERN, `keys must be workflow input names (${INPUT_NAME_PATTERN.source})`),
      z.string('values must be strings').max(65_535),
    )
    .optional(),
});

export const reviewInputSchema = body({
  runId: z.number('must be a workflow run id').int().positive('must be a workflow run id'),
  decision: z.enum(['approve', 'reject'], 'must be "approve" or "reject"'),
  comment: z.string().max(65_535).optional(),
});

export const rollbackInputSchema = body({
  toRunId: z
    .preprocess(
      value => (value === 0 || value === null ? undefined : value),
      z.number().int().positive('must be a workflow run id').optional(),
    ),
});

export const versionsQuerySchema = z.object({
  query: optional(z.string().max(200, 'must be at most 200 characters')),
  sha: optional(z.string().regex(SHA_PATTERN, 'must be a full or abbreviated commit SHA (4 to 40 hex digits)')),
  environment: optional(name('environment')),
});

export const historyQuerySchema = z.object({
  environment: optional(name('environment')),
  pageSize: optional(
    z.string().regex(/^(?:[1-9]|[1-9][0-9]|100)$/, 'must be an integer from 1 to 100'),
  ),
  pageToken: optional(z.string().max(512)),
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
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
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
export function parseName(value: string, what: 'service' | 'environment'): string {
  if (!NAME_PATTERN.test(value)) {
    throw new InputError(`Invalid ${what} name: must match ${NAME_PATTERN.source}`);
  }
  return value;
}
