/** The gateway's WatchPipeline figures, read from its Prometheus endpoint (GET /metrics on the main port). */
export interface WatchFigures {
  /** Shared upstream pollers running (one per workspace and service with watchers). */
  readonly pollers: number;
  readonly watchers: number;
  /** Poller reads so far, all results (changed, unchanged, error). */
  readonly polls: number;
}

export async function watchFigures(gatewayUrl: string): Promise<WatchFigures> {
  const response = await fetch(`${gatewayUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  return {
    pollers: sum(text, "deployment_pipeline_pollers"),
    watchers: sum(text, "deployment_pipeline_watchers"),
    polls: sum(text, "deployment_pipeline_polls_total"),
  };
}

/** Sum of every sample of a metric (all label sets) in Prometheus text format. */
function sum(text: string, metric: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] === metric) total += Number(match[2]);
  }
  return total;
}
