import { useSyncExternalStore } from "react";
import { ago, exact } from "../api/format.js";

// One shared clock for every relative time on the page, so "2 minutes ago" keeps up without a re-render from data.
const TICK_MS = 15_000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    listeners.forEach((notify) => notify());
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) clearInterval(timer), (timer = undefined);
  };
}

export function Time({ date }: { readonly date: Date | undefined }) {
  useSyncExternalStore(subscribe, () => now); // re-renders on each tick
  if (!date) return null;
  return (
    <time dateTime={date.toISOString()} title={exact(date)}>
      {ago(date)}
    </time>
  );
}
