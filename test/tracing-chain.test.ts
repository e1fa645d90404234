import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentsClient, enableDeploymentPlugin } from "./support/deployments.js";
import { bearer, startGateway } from "./support/gateway.js";
import { GITHUB_TOKENS, startGitHubSimulator } from "./support/github-simulator.js";
import type { RunningGitHubSimulator } from "./support/github-simulator.js";
import { startSidecar } from "./support/sidecar.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { egressAllowing } from "./support/egress.js";

// Issue 6: with tracing on, one trace spans Connect client → gateway → sidecar → GitHub.

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string } }[];
}
interface ExportedBatch {
  resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[];
}

const SPAN_KIND = { server: 2, client: 3 } as const;
const exported: ExportedBatch[] = [];
const collector = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", () => {
    exported.push(JSON.parse(body) as ExportedBatch);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});

let github: RunningGitHubSimulator;
let sidecar: RunningSidecar;
let endpoint: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  const tracing = { TRACING_ENABLED: "true", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint };
  github = await startGitHubSimulator();
  sidecar = await startSidecar({ ...tracing, ...egressAllowing(github.apiUrl) });
}, 120_000);

afterAll(async () => {
  await Promise.all([sidecar?.stop(), github?.stop()]);
  await new Promise((resolve) => collector.close(resolve));
});

const spansOf = (traceId: string) =>
  exported
    .flatMap((batch) => batch.resourceSpans)
    .flatMap((resource) => resource.scopeSpans)
    .flatMap((scope) => scope.spans)
    .filter((span) => span.traceId === traceId);

const attribute = (span: ExportedSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;

describe("one trace from the caller to GitHub", () => {
  it("links the gateway's RPC span, its sidecar call, the sidecar's server span and the sidecar's GitHub call", async () => {
    const gateway = await startGateway({
      ...egressAllowing(github.apiUrl),
      BACKSTAGE_URL: sidecar.url,
      BACKSTAGE_SERVICE_TOKEN: sidecar.token,
      ORBIT_SECRETS_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      TRACING_ENABLED: "true",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
    });
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    try {
      await enableDeploymentPlugin(gateway, "ws-trace", github.apiUrl, GITHUB_TOKENS.orbitBot);
      const token = bearer(await gateway.token({ workspaceId: "ws-trace" }));
      const { workflows } = await deploymentsClient("connect-json", gateway.url).listWorkflows(
        { workspaceId: "ws-trace", repository: "acme/checkout" },
        { headers: { ...token.headers, traceparent: `00-${traceId}-b7ad6b7169203331-01` } },
      );
      expect(workflows.map((workflow) => workflow.path)).toContain(".github/workflows/deploy.yml");
    } finally {
      await gateway.close(); // flushes the gateway's spans
    }
    await sidecar.stop(); // the sidecar flushes its spans on SIGTERM

    const spans = spansOf(traceId);
    const rpc = spans.find((span) => span.name === "/idp.plugins.v1.DeploymentService/ListWorkflows");
    expect(rpc?.parentSpanId).toBe("b7ad6b7169203331");
    const sidecarCall = spans.find((span) => span.kind === SPAN_KIND.client && span.parentSpanId === rpc?.spanId);
    expect(sidecarCall, "the gateway's client span for the sidecar call").toBeDefined();
    const sidecarServer = spans.find((span) => span.kind === SPAN_KIND.server && span.parentSpanId === sidecarCall?.spanId);
    expect(sidecarServer, "the sidecar's server span continues the gateway's call").toBeDefined();

    // The GitHub call hangs below the sidecar's server span (through its route and handler spans).
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const descendsFrom = (span: ExportedSpan, ancestor: ExportedSpan): boolean => {
      for (let parent = byId.get(span.parentSpanId ?? ""); parent; parent = byId.get(parent.parentSpanId ?? "")) {
        if (parent === ancestor) return true;
      }
      return false;
    };
    const githubCalls = spans.filter(
      (span) => span.kind === SPAN_KIND.client && (attribute(span, "url.full") ?? "").startsWith(github.apiUrl),
    );
    expect(githubCalls.length).toBeGreaterThan(0);
    for (const call of githubCalls) expect(descendsFrom(call, sidecarServer as ExportedSpan)).toBe(true);
  }, 120_000);
});
