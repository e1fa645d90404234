import { describe, expect, it } from "vitest";
import { createMemoryResponseStore, createResponseCache } from "./response-cache.js";
import type { ResponseStore } from "./response-cache.js";
import type { SidecarResponse } from "./sidecar-client.js";

/** The in-memory store, counting reads. */
function countingStore(): { store: ResponseStore; reads: () => number } {
  const inner = createMemoryResponseStore();
  let reads = 0;
  return {
    reads: () => reads,
    store: {
      ...inner,
      get: (key) => {
        reads++;
        return inner.get(key);
      },
    },
  };
}

const answer = (text: string): SidecarResponse => ({ status: 200, headers: {}, body: new TextEncoder().encode(text) });

describe("response cache", () => {
  it("answers a repeated GET from the store within its TTL", async () => {
    const { store } = countingStore();
    const cache = createResponseCache(store, () => undefined);
    let upstream = 0;
    const fetch = async () => answer(`call ${++upstream}`);
    const first = await cache.getOrFetch("k", 60_000, new AbortController().signal, fetch);
    const second = await cache.getOrFetch("k", 60_000, new AbortController().signal, fetch);
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(new TextDecoder().decode(second.response.body)).toBe("call 1");
    expect(upstream).toBe(1);
  });

  it("passes on an answer marked Cache-Control: no-store without keeping it", async () => {
    const cache = createResponseCache(createMemoryResponseStore(), () => undefined);
    let upstream = 0;
    const fetch = async (): Promise<SidecarResponse> => ({ ...answer(`call ${++upstream}`), headers: { "cache-control": "no-store" } });
    await cache.getOrFetch("k", 60_000, new AbortController().signal, fetch);
    const second = await cache.getOrFetch("k", 60_000, new AbortController().signal, fetch);
    expect([second.fromCache, new TextDecoder().decode(second.response.body)]).toEqual([false, "call 2"]);
  });

  it("with caching off (TTL 0) never reads the store, but still shares one upstream call between identical requests", async () => {
    const { store, reads } = countingStore();
    const cache = createResponseCache(store, () => undefined);
    let upstream = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetch = async () => {
      upstream++;
      await gate;
      return answer("fresh");
    };
    const calls = Array.from({ length: 5 }, () => cache.getOrFetch("k", 0, new AbortController().signal, fetch));
    release();
    const answers = await Promise.all(calls);
    expect(upstream).toBe(1);
    expect(answers.every((result) => !result.fromCache)).toBe(true);
    await cache.getOrFetch("k", 0, new AbortController().signal, fetch);
    expect(upstream).toBe(2);
    expect(reads()).toBe(0);
  });
});
