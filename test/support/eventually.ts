/**
 * Repeats a read until its answer satisfies the condition, within a deadline: for
 * state that changes outside the test's control (a cached pipeline expiring, a
 * poller's next tick). Returns the satisfying answer.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  condition: (value: T) => boolean,
  what: string,
  deadlineMs = 15_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (condition(last)) return last;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value: ${stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, bounded by the deadline
  }
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item)).slice(0, 2_000);
  } catch {
    return String(value);
  }
}
