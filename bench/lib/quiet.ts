import { loadavg } from "node:os";
import { setTimeout as delay } from "node:timers/promises";

/**
 * On a shared machine, waits (bounded) until the 1-minute load average drops below
 * `maxLoad`, so the run does not start in the middle of someone else's burst. Never
 * blocks for longer than `maxWaitMs`; returns a line saying what it found.
 */
export async function waitForQuietMachine(maxLoad: number, maxWaitMs: number): Promise<string> {
  const started = Date.now();
  for (;;) {
    const load = loadavg()[0] ?? 0;
    const waited = ((Date.now() - started) / 1000).toFixed(0);
    if (load < maxLoad) return `machine quiet enough: load average ${load.toFixed(2)} < ${maxLoad} (waited ${waited} s)`;
    if (Date.now() - started >= maxWaitMs) {
      return `WARNING: load average still ${load.toFixed(2)} >= ${maxLoad} after ${waited} s; other work on the machine inflates these figures`;
    }
    await delay(5_000); // the load average itself only moves every 5 s
  }
}
