/**
 * `fn` remembered per argument object: a cached plugin answer is the same object on every
 * hit of the in-memory response cache, so what is derived from it (its parsed JSON, its proto
 * message) is computed once per cached answer, not once per call. Entries go when the argument
 * is collected. Results are shared between calls: callers must not mutate them.
 */
export function memoByIdentity<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const results = new WeakMap<K, V>();
  return (key) => {
    if (results.has(key)) return results.get(key) as V;
    const value = fn(key);
    results.set(key, value);
    return value;
  };
}
