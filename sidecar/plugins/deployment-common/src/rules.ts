/**
 * The field rules of the deployment API, written once: the plugin's request
 * schemas and the gateway's request checks both read them, so a name, a
 * repository, a SHA or a version is judged the same on either side of the
 * sidecar. Each rule is a pattern or a limit plus the words that explain it.
 * Dependency-free, like `routes.ts`.
 */

/** Service and environment names: lower-case, at most 63 characters (a DNS label). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const NAME_RULE = `must match ${NAME_PATTERN.source} (at most 63 characters)`;

/** GitHub owner (user or org) and repository name. */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
export const REPOSITORY_RULE = 'must be "owner/name" of a GitHub repository';

/** A full or abbreviated commit SHA. */
export const SHA_PATTERN = /^[0-9a-fA-F]{4,40}$/;
export const SHA_RULE = 'must be a full or abbreviated commit SHA (4 to 40 hexadecimal digits)';

/**
 * What may be deployed: a tag, a branch or a SHA. Git refuses spaces and
 * control characters in ref names (`git check-ref-format`), so visible ASCII
 * without spaces is the whole rule; anything else could never resolve.
 */
export const VERSION_PATTERN = /^[\x21-\x7e]{1,255}$/;
export const VERSION_RULE = 'must be a tag, branch or commit SHA (1 to 255 visible characters)';

/** A workflow file name (`deploy.yml`) or a numeric workflow id. */
export const WORKFLOW_PATTERN = /^(?:[A-Za-z0-9._-]{1,250}\.ya?ml|[1-9][0-9]{0,18})$/;
export const WORKFLOW_RULE = 'must be a workflow file name ending in .yml/.yaml, or a numeric workflow id';

/** A branch or tag name, roughly as `git check-ref-format` allows it. */
export const REF_PATTERN = /^(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*@\{)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/+-]{1,255}$/;
export const REF_RULE = 'must be a branch or tag name';

/** A workflow_dispatch input name. */
export const INPUT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;
export const INPUT_NAME_RULE = `must be a workflow input name (${INPUT_NAME_PATTERN.source})`;

/**
 * GitHub accepts at most 25 workflow_dispatch inputs in all, the version input
 * (always sent) and the environment input (when configured) included. A
 * request can therefore carry at most 24 extra inputs; the plugin, which knows
 * the environment's input names, checks the exact total.
 */
export const MAX_WORKFLOW_INPUTS = 25;
export const MAX_EXTRA_INPUTS = MAX_WORKFLOW_INPUTS - 1;
/** GitHub bounds an input value (and a review comment) at 65,535 characters. */
export const MAX_INPUT_VALUE = 65_535;

/** History pages: 1 to 100 deployments, 20 when not given. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_TOKEN = 512;
/** The version picker's search text. */
export const MAX_VERSION_QUERY = 200;
/** `job` and `githubEnvironment` of an environment. */
export const MAX_LABEL = 255;
