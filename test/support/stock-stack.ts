import { randomBytes } from "node:crypto";
import { setTimeout as pause } from "node:timers/promises";
import { eventually } from "./eventually.js";
import { egressAllowing } from "./egress.js";
import { bearer, pluginsClient, startGateway } from "./gateway.js";
import type { RunningGateway } from "./gateway.js";
import { startSidecar } from "./sidecar.js";
import type { RunningSidecar } from "./sidecar.js";

// What the stock plugin end-to-end tests share: a sidecar and a gateway allowed to reach the test's
// simulators, the clients acting as a workspace's member or admin, enabling a plugin in several
// workspaces, waiting for prewarmed processes, and the "settings change under steady traffic" harness.

/** A workspace's first call waits for its Backstage process to start (3 s alone, over 10 s on a loaded machine). */
export const COLD_START_SIDECAR_TIMEOUT = { SIDECAR_TIMEOUT: "60s" } as const;

export interface StockStack {
  readonly sidecar: RunningSidecar;
  readonly gw: RunningGateway;
}

/**
 * Starts a sidecar and a gateway whose egress allows exactly `upstreamUrls` (the test's simulators), with
 * secrets at rest enabled and a rate limit no test reaches; `gatewayEnv` adds a file's own settings.
 */
export async function startStockStack(upstreamUrls: readonly string[], gatewayEnv: Record<string, string> = {}): Promise<StockStack> {
  const egress = egressAllowing(...upstreamUrls);
  const sidecar = await startSidecar(egress);
  const gw = await startGateway({
    ...egress,
    BACKSTAGE_URL: sidecar.url,
    BACKSTAGE_SERVICE_TOKEN: sidecar.token,
    ORBIT_SECRETS_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    RATE_LIMIT_MAX: "100000",
    ...gatewayEnv,
  });
  return { sidecar, gw };
}

/** The gateway's Plugins client and the call options of a workspace's member or admin; `gateway` is read at call time. */
export function stockClients(gateway: () => RunningGateway) {
  return {
    client: () => pluginsClient("connect-json", gateway().url),
    asMember: async (workspaceId: string) => bearer(await gateway().token({ workspaceId })),
    asAdmin: async (workspaceId: string) => bearer(await gateway().token({ workspaceId, admin: true })),
  };
}

export interface WorkspaceSettings {
  readonly workspaceId: string;
  readonly config: Record<string, string>;
  readonly secrets: Record<string, string>;
}

/** EnablePlugin with the config, then UpdatePluginConfig with the secrets, one workspace after the other, as its admin. */
export async function enableInWorkspaces(gw: RunningGateway, pluginId: string, settings: readonly WorkspaceSettings[]): Promise<void> {
  const { client, asAdmin } = stockClients(() => gw);
  for (const { workspaceId, config, secrets } of settings) {
    const admin = await asAdmin(workspaceId);
    await client().enablePlugin({ workspaceId, pluginId, config }, admin);
    await client().updatePluginConfig({ workspaceId, pluginId, secrets }, admin);
  }
}

/** Polls the sidecar's per-workspace health of a stock plugin until each workspace's (prewarmed) process says "ready". */
export async function untilProcessesReady(
  sidecar: RunningSidecar,
  pluginId: string,
  workspaceIds: readonly string[],
  deadlineMs = 90_000,
): Promise<void> {
  for (const workspaceId of workspaceIds) {
    await eventually(
      async () => {
        const response = await fetch(`${sidecar.url}/api/${pluginId}/health`, {
          headers: { authorization: `Bearer ${sidecar.token}`, "x-orbit-workspace-id": workspaceId },
        });
        return ((await response.json()) as { message?: string }).message;
      },
      (message) => message === "ready",
      `the prewarmed ${pluginId} process of ${workspaceId}`,
      deadlineMs,
    );
  }
}

export interface SettingsChangeUnderTraffic<T> {
  /** The workspaces calling steadily throughout. */
  readonly workspaces: readonly string[];
  /** One call of the steady traffic in a workspace. */
  readonly call: (workspaceId: string) => Promise<T>;
  /** The workspace whose settings change. */
  readonly changed: string;
  /** Whether an answer in the changed workspace comes from its new settings. */
  readonly tookEffect: (answer: T) => boolean;
  /** Makes the change (e.g. UpdatePluginConfig). */
  readonly change: () => Promise<void>;
  /** The pause between one workspace's calls (pacing, not synchronisation); 0: back to back. */
  readonly pacingMs?: number;
  /** Calls (all workspaces) before the change, and after it took effect while the old process drains. */
  readonly callsAround?: number;
}

export interface SettingsChangeFigures {
  readonly changedAt: number;
  /** When the changed workspace's traffic first saw the new settings. */
  readonly effectiveAt: number;
  readonly timeToEffectMs: number;
  /** Answered calls per workspace. */
  readonly ok: Record<string, number>;
  /** The messages of failed calls per workspace. */
  readonly failed: Record<string, string[]>;
}

/**
 * Steady traffic in every workspace; after `callsAround` calls the change; then waits, on the traffic's own
 * progress (no timed waits), for the changed workspace to see its new settings and for `callsAround` more calls.
 */
export async function settingsChangeUnderTraffic<T>(options: SettingsChangeUnderTraffic<T>): Promise<SettingsChangeFigures> {
  const { workspaces, call, changed, tookEffect, change, pacingMs = 25, callsAround = 20 } = options;
  const ok: Record<string, number> = Object.fromEntries(workspaces.map((workspaceId) => [workspaceId, 0]));
  const failed: Record<string, string[]> = Object.fromEntries(workspaces.map((workspaceId) => [workspaceId, []]));
  let changedAt = 0;
  let effectiveAt = 0;
  let running = true;
  const waiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  const progressed = () => {
    for (const waiter of [...waiters]) {
      if (!waiter.done()) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const until = (done: () => boolean) => new Promise<void>((resolve) => (done() ? resolve() : waiters.push({ done, resolve })));
  const callsOf = () => workspaces.reduce((sum, workspaceId) => sum + ok[workspaceId]! + failed[workspaceId]!.length, 0);
  const traffic = async (workspaceId: string) => {
    while (running) {
      try {
        const answer = await call(workspaceId);
        ok[workspaceId]!++;
        if (workspaceId === changed && changedAt && !effectiveAt && tookEffect(answer)) effectiveAt = Date.now();
      } catch (error) {
        failed[workspaceId]!.push((error as Error).message);
      }
      progressed();
      if (pacingMs > 0) await pause(pacingMs); // pacing of the steady traffic, not synchronisation
    }
  };
  const loops = workspaces.map(traffic);
  try {
    await until(() => callsOf() >= callsAround); // some traffic before the change
    changedAt = Date.now();
    await change();
    await until(() => effectiveAt > 0);
    const callsAtEffect = callsOf();
    await until(() => callsOf() >= callsAtEffect + callsAround); // traffic after the takeover, while the old process drains
  } finally {
    running = false;
    await Promise.all(loops);
  }
  return { changedAt, effectiveAt, timeToEffectMs: effectiveAt - changedAt, ok, failed };
}
