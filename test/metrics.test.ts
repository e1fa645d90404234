import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string }[];
}

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ RATE_LIMIT_MAX: "2" });
});
afterAll(async () => gw.close());

describe("/metrics", () => {
  it("counts RPCs and their latency by procedure and code, in valid Prometheus text format", async () => {
    const token = await gw.token({ workspaceId: "ws-metrics" });
    const client = pluginsClient("grpc", gw.url);
    await client.listPlugins({ workspaceId: "ws-metrics" }, bearer(token));
    await client.getPlugin({ workspaceId: "ws-metrics", pluginId: "jira" }, bearer(token));
    await client.listPlugins({ workspaceId: "ws-metrics" }, bearer(token)).catch(() => undefined);

    const response = await fetch(`${gw.url}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const page = await response.text();
    const families = parsePrometheusTextFormat(page) as Family[];
    const byName = new Map(families.map((family) => [family.name, family]));

    const requests = byName.get("plugins_grpc_requests_total");
    expect(requests?.type).toBe("COUNTER");
    const listOk = requests?.metrics.find(
      (metric) => metric.labels?.procedure === "/idp.plugins.v1.PluginsService/ListPlugins" && metric.labels.code === "ok",
    );
    expect(Number(listOk?.value)).toBe(1);
    const limited = requests?.metrics.find((metric) => metric.labels?.code === "resource_exhausted");
    expect(Number(limited?.value)).toBe(1);
    expect(limited?.labels?.protocol).toBe("grpc");

    const duration = byName.get("plugins_request_duration_seconds");
    expect(duration?.type).toBe("HISTOGRAM");
    // The parser keeps buckets but not a histogram's labels; read those from the page.
    expect(page).toMatch(
      /plugins_request_duration_seconds_count\{procedure="\/idp\.plugins\.v1\.PluginsService\/GetPlugin",code="ok"\} 1\n/,
    );

    expect(Number(byName.get("plugins_rate_limit_exceeded_total")?.metrics[0]?.value)).toBe(1);
    expect(byName.has("process_resident_memory_bytes")).toBe(true);
    // Workspaces never become label values.
    expect(JSON.stringify(families)).not.toContain("ws-metrics");
  });
});

describe("METRICS_PORT", () => {
  it("serves /metrics on its own port and not on the RPC port", async () => {
    const { freePort } = await import("./support/redis-server.js");
    const port = await freePort();
    const separate = await startGateway({ METRICS_PORT: String(port) });
    try {
      const page = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("plugins_grpc_requests_total");
      const onMain = await fetch(`${separate.url}/metrics`);
      expect(await onMain.json()).toMatchObject({ code: "unimplemented" });
    } finally {
      await separate.close();
    }
  });
});
