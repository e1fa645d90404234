import type { EgressRule } from '@internal/egress-common';

export const EGRESS_REFUSED_CODE = 'ORBIT_EGRESS_REFUSED';

/**
 * A connection the egress policy refused before it was opened. Thrown (as the
 * `cause` of fetch's "fetch failed", or as the error of an http request) by
 * the guard; plugins turn it into a 412 so that the gateway answers
 * FAILED_PRECONDITION. The message names the target the workspace configured
 * and the rule, nothing else: no connection was made, so there is no answer
 * to leak, and a resolved address is never shown.
 */
export class EgressRefusedError extends Error {
  override name = 'EgressRefusedError' as const;
  readonly code = EGRESS_REFUSED_CODE;
  readonly rule: EgressRule;

  constructor(reason: string, rule: EgressRule) {
    super(`Egress policy refused the connection: ${reason}`);
    this.rule = rule;
  }
}

/**
 * The refusal behind an error, if any: the error itself or one of its causes
 * (fetch wraps connector errors in `TypeError: fetch failed`). Recognised by
 * name and code, so that a copy of this package elsewhere in the tree counts.
 */
export function findEgressRefusal(error: unknown): EgressRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.name === 'EgressRefusedError' && (current as { code?: unknown }).code === EGRESS_REFUSED_CODE) {
      return current as EgressRefusedError;
    }
    current = current.cause;
  }
  return undefined;
}
