/**
 * Field rules of the Jira API, written once for the plugin and the gateway.
 *
 * Project keys: a letter, then letters, digits or underscores (Jira's default
 * rule; 2 to 255 characters as sites may configure). Matched
 * case-insensitively; the plugin sends them upper-case, as Jira stores keys.
 */
export const PROJECT_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{1,254}$/;
export const PROJECT_KEY_RULE = 'must be a Jira project key: a letter, then letters, digits or underscores (e.g. OPS)';

/** A status name: at most 255 characters, no control characters. */
export const MAX_STATUS_LENGTH = 255;
export const STATUS_RULE = `must be a Jira status name of at most ${MAX_STATUS_LENGTH} characters`;
