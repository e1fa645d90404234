import { setTimeout as delay } from "node:timers/promises";

/**
 * Polls `probe` until it returns true (a thrown error counts as "not yet"), within a
 * bounded deadline; rejects at once if `failFast` rejects (e.g. the process exited).
 */
export async function waitFor(
  what: string,
  deadlineMs: number,
  probe: () => Promise<boolean>,
  failFast?: Promise<never>,
  intervalMs = 50,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  let failed: unknown;
  failFast?.catch((error: unknown) => {
    failed = error;
  });
  for (;;) {
    if (failed) throw failed;
    try {
      if (await probe()) return;
    } catch {
      // not ready yet
    }
    if (failed) throw failed;
    if (Date.now() > until) throw new Error(`${what} was not ready within ${deadlineMs} ms`);
    await delay(intervalMs); // poll interval, bounded by the deadline above
  }
}
