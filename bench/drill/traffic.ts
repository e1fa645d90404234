import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { bearer } from "../lib/plugins-client.js";
import type { PluginsClient } from "../lib/plugins-client.js";
import type { Kind, Ledger, WriteBook } from "./ledger.js";

export interface DrillWorkspace {
  readonly id: string;
  readonly userToken: string;
  readonly adminToken: string;
}

export interface TrafficOptions {
  readonly client: PluginsClient;
  readonly workspaces: readonly DrillWorkspace[];
  /** Calls per second, open loop. */
  readonly rate: number;
  /** The deadline every call carries to the gateway. */
  readonly deadlineMs: number;
  /** Milliseconds since the drill started. */
  readonly clock: () => number;
}

/** How long past its deadline the harness waits for an answer before it records a hang and gives up. */
export const HANG_GRACE_MS = 5_000;
const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ["ProxyPluginRequest", 0.35],
  ["GetPluginData", 0.25],
  ["ListPlugins", 0.2],
  ["UpdatePluginConfig", 0.2],
];

/**
 * Mixed traffic across workspaces at a fixed rate until stopped. The deadline goes to
 * the gateway in the Connect timeout header only; the client itself waits up to
 * deadline + HANG_GRACE_MS, so a gateway that fails to answer within its deadline
 * shows up as a long call (or a hang) instead of being hidden by a client-side timeout.
 */
export function startTraffic(options: TrafficOptions, ledger: Ledger, writes: WriteBook): { stop(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  let running = true;

  const call = async (kind: Kind, workspace: DrillWorkspace, send: (init: CallInit) => Promise<unknown>) => {
    const hardStop = AbortSignal.timeout(options.deadlineMs + HANG_GRACE_MS);
    const startedAt = options.clock();
    let result = "ok";
    let message: string | undefined;
    try {
      await send({ headers: { "connect-timeout-ms": String(options.deadlineMs) }, signal: hardStop });
    } catch (error) {
      const failure = ConnectError.from(error);
      result = hardStop.aborted ? "hang" : codeName(failure.code);
      message = failure.rawMessage;
    }
    ledger.record({ kind, result, startedAt, endedAt: options.clock(), ...(message === undefined ? {} : { message }) });
    return result === "ok";
  };

  const oneCall = async () => {
    const workspace = pick(options.workspaces);
    let kind = weighted();
    const value = kind === "UpdatePluginConfig" ? writes.begin(workspace.id) : undefined;
    if (kind === "UpdatePluginConfig" && value === undefined) kind = "ProxyPluginRequest"; // a write to it is in flight
    const { client } = options;
    const as = (token: string, init: CallInit) => ({ ...init, headers: { ...init.headers, ...bearer(token) } });
    const workspaceId = workspace.id;
    switch (kind) {
      case "ProxyPluginRequest":
        await call(kind, workspace, (init) =>
          client.proxyPluginRequest({ workspaceId, pluginId: "deployment", endpointPath: "/whoami" }, as(workspace.userToken, init)),
        );
        return;
      case "GetPluginData":
        await call(kind, workspace, (init) =>
          client.getPluginData({ workspaceId, pluginId: "deployment", params: { path: "/whoami" } }, as(workspace.userToken, init)),
        );
        return;
      case "ListPlugins":
        await call(kind, workspace, (init) => client.listPlugins({ workspaceId }, as(workspace.userToken, init)));
        return;
      case "UpdatePluginConfig": {
        const written = value ?? 0;
        const acknowledged = await call(kind, workspace, (init) =>
          client.updatePluginConfig(
            { workspaceId, pluginId: "deployment", config: { github_app_id: String(written) } },
            as(workspace.adminToken, init),
          ),
        );
        writes.end(workspaceId, written, acknowledged);
      }
    }
  };

  const loop = (async () => {
    const start = performance.now();
    let sent = 0;
    while (running) {
      const due = Math.floor(((performance.now() - start) / 1000) * options.rate) + 1;
      for (; sent < due; sent++) {
        const request = oneCall().finally(() => inFlight.delete(request));
        inFlight.add(request);
      }
      await delay(2);
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      // Every call ends by deadline + grace at the latest (the client's hard stop).
      await Promise.all(inFlight);
    },
  };
}

interface CallInit {
  headers: Record<string, string>;
  signal: AbortSignal;
}

function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function weighted(): Kind {
  let roll = Math.random();
  for (const [kind, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return "ProxyPluginRequest";
}
