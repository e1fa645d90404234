import { setMaxListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { DeploymentState } from "../../src/gen/idp/plugins/v1/deployments_pb.js";
import type { Pipeline } from "../../src/gen/idp/plugins/v1/deployments_pb.js";
import { waitFor } from "../lib/wait.js";
import { watchFigures } from "./gateway-metrics.js";
import type { Cost, Meter } from "./meter.js";
import type { SimulatorProcess } from "./simulator-process.js";
import { SERVICE, WORKSPACE, as } from "./workspace.js";
import type { DeploymentsClient } from "./workspace.js";

export interface WatchWindow {
  readonly watchers: number;
  /** Poll intervals the window lasts (after every watcher got its first pipeline). */
  readonly intervals: number;
  readonly intervalMs: number;
  /** The run moved one step at the end of every n-th interval, so watchers have changes to see. */
  readonly advanceEvery: number;
  /** How many steps at most (a run has only so many before it completes). */
  readonly advances: number;
  /** The environment whose run moves. */
  readonly environment: string;
}

export interface WatchResult {
  /** From opening the watches until every watcher has its first pipeline. */
  readonly join: Cost;
  /** The fixed window of `intervals` poll intervals. */
  readonly window: Cost;
  /** Poller reads while the watchers joined, and during the window (the gateway's deployment_pipeline_polls_total). */
  readonly polls: { readonly join: number; readonly window: number };
  /** How long opening the watches took until each had its first pipeline. */
  readonly joinMs: number;
  /** Most pollers seen running during the window (1 expected for one service). */
  readonly maxPollers: number;
  /** What the first watcher saw of the moving environment, one entry per pipeline received. */
  readonly seen: readonly string[];
  /** Pipelines each watcher received over the whole watch (min and max over watchers). */
  readonly messages: { readonly min: number; readonly max: number };
}

/**
 * Opens `watchers` concurrent WatchPipeline streams of one service, waits until each
 * has received its first pipeline, then keeps them open for a fixed number of poll
 * intervals while the given run moves on a fixed schedule, and counts what reached
 * GitHub (and the sidecar) in that time. Closes every stream and waits until the
 * gateway has stopped its poller, so the next measurement starts quiet.
 */
export async function measureWatchers(
  client: DeploymentsClient,
  orbitToken: string,
  gatewayUrl: string,
  simulator: SimulatorProcess,
  meter: Meter,
  runId: number,
  shape: WatchWindow,
): Promise<WatchResult> {
  const stop = new AbortController();
  // Every stream listens on this one signal; that many listeners is the point, not a leak.
  setMaxListeners(shape.watchers + 10, stop.signal);
  const received = new Array<number>(shape.watchers).fill(0);
  const seen: string[] = [];
  const firsts: Array<Promise<void>> = [];
  const streams: Array<Promise<void>> = [];

  const pollsAtStart = (await watchFigures(gatewayUrl)).polls;
  const joinStarted = performance.now();
  const { cost: join } = await meter.measure(async () => {
    for (let index = 0; index < shape.watchers; index++) {
      let first!: () => void;
      firsts.push(new Promise<void>((resolve) => (first = resolve)));
      streams.push(
        (async () => {
          try {
            for await (const { pipeline } of client.watchPipeline(
              { workspaceId: WORKSPACE, service: SERVICE },
              { ...as(orbitToken), signal: stop.signal },
            )) {
              received[index] = (received[index] ?? 0) + 1;
              if (index === 0) seen.push(describeEnvironment(pipeline, shape.environment));
              first();
            }
          } catch (error) {
            if (!stop.signal.aborted) throw error;
          }
        })(),
      );
    }
    // A stream that fails before its first pipeline fails the run instead of hanging it.
    await Promise.race([
      Promise.all(firsts),
      Promise.all(streams).then(() => Promise.reject(new Error("a watch ended before its first pipeline"))),
    ]);
  });

  const joinMs = performance.now() - joinStarted;
  const pollsBefore = (await watchFigures(gatewayUrl)).polls;
  let maxPollers = 0;
  const { cost: window } = await meter.measure(async () => {
    let advanced = 0;
    for (let interval = 1; interval <= shape.intervals; interval++) {
      // The window is defined in time (poll intervals); this is its clock, not a synchronisation.
      await delay(shape.intervalMs);
      maxPollers = Math.max(maxPollers, (await watchFigures(gatewayUrl)).pollers);
      if (interval % shape.advanceEvery === 0 && advanced < shape.advances) {
        await simulator.advance(runId);
        advanced++;
      }
    }
  });
  const polls = (await watchFigures(gatewayUrl)).polls - pollsBefore;

  stop.abort();
  await Promise.all(streams);
  await waitFor("the gateway to stop its pipeline poller", 30_000, async () => (await watchFigures(gatewayUrl)).pollers === 0);
  return {
    join,
    window,
    polls: { join: pollsBefore - pollsAtStart, window: polls },
    joinMs,
    maxPollers,
    seen,
    messages: { min: Math.min(...received), max: Math.max(...received) },
  };
}

/** "RUNNING (run in_progress, job queued)": one environment of a pipeline, as a watcher sees it. */
function describeEnvironment(pipeline: Pipeline | undefined, environment: string): string {
  const status = pipeline?.environments.find((each) => each.environment === environment);
  if (!status) return "(absent)";
  const run = status.activeRun;
  return `${DeploymentState[status.state]} (run ${run?.status ?? "-"}, job ${run?.job?.status ?? "-"})`;
}
