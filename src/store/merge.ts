/**
 * Merge semantics of a plugin write, shared by config and secrets:
 *  - a key given with a non-empty value is set (added or replaced);
 *  - a key given with the empty string "" is removed (removing an absent key is a no-op);
 *  - a key not given is kept as it is.
 * A key counts as changed only when the stored result differs, so resending the same
 * values changes nothing — which is what makes writes idempotent.
 */
export interface MergeOutcome {
  readonly next: Record<string, string>;
  /** Keys whose stored value was added, replaced or removed; sorted. */
  readonly changedKeys: string[];
}

/**
 * @param same whether the stored value already represents the given one (plain
 *   equality for config; decrypt-and-compare for sealed secrets)
 * @param store what to store for a given value (identity for config; seal for secrets)
 */
export function mergeEntries(
  current: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, string>> | undefined,
  same: (key: string, stored: string, given: string) => boolean,
  store: (key: string, given: string) => string,
): MergeOutcome {
  // A Map, not object assignment: a key such as "__proto__" must be stored like any other.
  const next = new Map(Object.entries(current));
  const changed: string[] = [];
  for (const [key, given] of Object.entries(patch ?? {})) {
    const stored = next.get(key);
    if (given === "") {
      if (stored === undefined) continue;
      next.delete(key);
      changed.push(key);
    } else if (stored === undefined || !same(key, stored, given)) {
      next.set(key, store(key, given));
      changed.push(key);
    }
  }
  return { next: Object.fromEntries(next), changedKeys: changed.sort() };
}

/** Config values are stored as given. */
export function mergeConfig(current: Readonly<Record<string, string>>, patch: Readonly<Record<string, string>> | undefined): MergeOutcome {
  return mergeEntries(
    current,
    patch,
    (_key, stored, given) => stored === given,
    (_key, given) => given,
  );
}
