import { createClient, createRouterTransport, Code, ConnectError } from "@connectrpc/connect";
import type { Client, Interceptor, Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/catalogue/catalogue.js";
import { BadRequestSchema, ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { DeploymentService, ReviewDecision } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import { PluginsService } from "../src/gen/idp/plugins/v1/plugins_pb.js";
import { identityKey } from "../src/lib/context-keys.js";
import { ERROR_DOMAIN, reasonOf } from "../src/lib/errors.js";
import { createLogger } from "../src/lib/logger.js";
import { createMetrics } from "../src/metrics/metrics.js";
import { createDeployments } from "../src/plugins/deployment/deployment-service.js";
import type { Deployments } from "../src/plugins/deployment/deployment-service.js";
import { MAX_EXTRA_INPUTS } from "../src/plugins/deployment/contract.js";
import { createConfigValidator } from "../src/services/config-validation.js";
import { createPluginSettingsSource } from "../src/services/plugin-settings-source.js";
import { createPluginsService } from "../src/services/plugins-service.js";
import { createPluginCounters } from "../src/sidecar/plugin-counters.js";
import { createPluginHealth } from "../src/sidecar/plugin-health.js";
import { openPluginStore } from "../src/store/open-plugin-store.js";
import type { OpenedPluginStore } from "../src/store/open-plugin-store.js";

// The service handlers in memory: createRouterTransport (no HTTP, no gate, no sidecar)
// over a real embedded PGlite store and the real catalogue. What needs the wire, the
// gate or the sidecar stays in the end-to-end suites (deployments, typed-rpcs, forwarding).

const WS = "ws-in-memory";
const catalogue = loadCatalogue();
const logger = createLogger("silent");
let opened: OpenedPluginStore;
let deployments: Deployments;
let transport: Transport;

/** Stands in for the gate: the verified identity the handlers read (admin of WS). */
const asAdmin: Interceptor = (next) => (request) => {
  request.contextValues.set(identityKey, { userId: "alice", workspaceId: WS, isAdmin: true, tokenId: undefined });
  return next(request);
};

beforeAll(async () => {
  opened = await openPluginStore({ dataDir: "memory://" }, catalogue, logger);
  const settings = createPluginSettingsSource(opened.dataPathStates, logger);
  deployments = createDeployments({
    catalogue,
    forwarder: undefined,
    settings,
    pipelineCacheTtlMs: 1_000,
    pipelineWatchIntervalMs: 1_000,
    metrics: createMetrics(),
    logger,
    drainSignal: new AbortController().signal,
  });
  const plugins = createPluginsService({
    catalogue,
    store: opened.store,
    validator: createConfigValidator(),
    logger,
    forwarder: undefined,
    settings,
    health: createPluginHealth(undefined, createPluginCounters()),
  });
  transport = createRouterTransport(
    (router) => {
      router.service(PluginsService, plugins);
      router.service(DeploymentService, deployments.service);
    },
    { router: { interceptors: [asAdmin] } },
  );
});

afterAll(async () => {
  deployments?.close();
  await opened?.db.close();
});

const pluginsClient = (): Client<typeof PluginsService> => createClient(PluginsService, transport);
const deploymentClient = (): Client<typeof DeploymentService> => createClient(DeploymentService, transport);

async function errorOf(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded");
}

describe("PluginsService handlers", () => {
  it("serves each plugin's endpoints from its contract's route table", async () => {
    const deployment = await pluginsClient().getPluginSchema({ pluginId: "deployment" });
    const routes = deployment.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`);
    expect(routes).toContain("POST /services/{service}/environments/{environment}/deployments");
    expect(routes).not.toContain("GET /whoami");
    const schema = await pluginsClient().getPluginSchema({ pluginId: "jira" });
    expect(schema.endpoints.find((endpoint) => endpoint.path === "/issues")?.parameters.map((p) => p.name)).toEqual([
      "projectKey",
      "status",
    ]);
  });

  it("names the reason of an unknown plugin in ErrorInfo", async () => {
    const error = await errorOf(pluginsClient().getPlugin({ workspaceId: WS, pluginId: "nope" }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.findDetails(ErrorInfoSchema)).toEqual([
      expect.objectContaining({ reason: "PLUGIN_NOT_FOUND", domain: ERROR_DOMAIN, metadata: { pluginId: "nope" } }),
    ]);
  });

  it("refuses an invalid configuration with a BadRequest field violation per field", async () => {
    const error = await errorOf(
      pluginsClient().updatePluginConfig({
        workspaceId: WS,
        pluginId: "deployment",
        config: { github_api_url: "https://api.github.com", nope: "x" },
      }),
    );
    expect([error.code, reasonOf(error)]).toEqual([Code.InvalidArgument, "INVALID_PLUGIN_CONFIG"]);
    expect(error.findDetails(BadRequestSchema)[0]?.fieldViolations.map((violation) => violation.field)).toEqual(["config.nope"]);
  });

  it("checks the plugin is enabled once, before it finds there is no sidecar", async () => {
    const request = { workspaceId: WS, pluginId: "jira", endpointPath: "/issues" };
    expect(reasonOf(await errorOf(pluginsClient().proxyPluginRequest(request)))).toBe("PLUGIN_DISABLED");
    await pluginsClient().enablePlugin({
      workspaceId: WS,
      pluginId: "jira",
      config: { base_url: "https://example.atlassian.net", email: "ops@example.com" },
    });
    const unavailable = await errorOf(pluginsClient().proxyPluginRequest(request));
    expect([unavailable.code, reasonOf(unavailable)]).toEqual([Code.Unavailable, "NO_SIDECAR"]);
  });
});

describe("DeploymentService handlers", () => {
  it("refuses malformed requests with the contract's rules, naming the proto field", async () => {
    const c = deploymentClient();
    const cases: Array<[string, Promise<unknown>]> = [
      ["service", c.getPipeline({ workspaceId: WS, service: "Not A Name" })],
      // The plugin's version rule: a tag, branch or SHA never holds a space.
      ["version", c.triggerDeployment({ workspaceId: WS, service: "checkout", environment: "staging", version: "v1 beta" })],
      ["sha", c.listVersions({ workspaceId: WS, service: "checkout", sha: "xyz" })],
      [
        "environment.workflow",
        c.upsertEnvironment({ workspaceId: WS, environment: { service: "s", name: "e", repository: "acme/s", workflow: "deploy.txt" } }),
      ],
      [
        "environment.ref",
        c.upsertEnvironment({
          workspaceId: WS,
          environment: { service: "s", name: "e", repository: "acme/s", workflow: "deploy.yml", ref: "a..b" },
        }),
      ],
      [
        "decision",
        c.reviewDeployment({
          workspaceId: WS,
          service: "checkout",
          environment: "production",
          runId: 1n,
          decision: ReviewDecision.UNSPECIFIED,
        }),
      ],
      [
        "inputs",
        c.triggerDeployment({
          workspaceId: WS,
          service: "checkout",
          environment: "staging",
          version: "v1",
          inputs: Object.fromEntries(Array.from({ length: MAX_EXTRA_INPUTS + 1 }, (_, i) => [`flag${i}`, "x"])),
        }),
      ],
    ];
    for (const [field, call] of cases) {
      const error = await errorOf(call);
      expect([error.code, reasonOf(error)], field).toEqual([Code.InvalidArgument, "INVALID_FIELD"]);
      expect(error.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field, field).toBe(field);
    }
  });

  it("answers FAILED_PRECONDITION for a disabled plugin before UNAVAILABLE for a missing sidecar", async () => {
    const request = { workspaceId: WS, service: "checkout" };
    expect(reasonOf(await errorOf(deploymentClient().getPipeline(request)))).toBe("PLUGIN_DISABLED");
    await pluginsClient().enablePlugin({ workspaceId: WS, pluginId: "deployment", config: { github_api_url: "https://api.github.com" } });
    expect(reasonOf(await errorOf(deploymentClient().getPipeline(request)))).toBe("NO_SIDECAR");
  });
});
