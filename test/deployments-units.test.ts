import { describe, expect, it } from "vitest";
import { canonicalJson } from "../src/plugins/deployment/canonical-json.js";
import { deploymentRoutes } from "../src/plugins/deployment/contract.js";
import type { DeploymentState as WireState, Pipeline as WirePipeline } from "../src/plugins/deployment/contract.js";
import { deploymentStateOf, environmentInputOf, toPipeline } from "../src/plugins/deployment/mapping.js";
import { endpointsOf, pathOf, queryOf } from "../src/plugins/plugin-route.js";
import { DeploymentState } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import { create } from "@bufbuild/protobuf";
import { DeploymentEnvironmentSchema } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import { cacheKey } from "../src/sidecar/response-cache.js";
import { retryAfterOf } from "../src/sidecar/upstream-errors.js";

// The small pure pieces behind DeploymentService; the end-to-end suites cover the rest.

describe("deployment state mapping", () => {
  it("maps every state of the plugin to its own enum value, and anything else to UNSPECIFIED", () => {
    const expected: Record<WireState, DeploymentState> = {
      pending: DeploymentState.PENDING,
      queued: DeploymentState.QUEUED,
      running: DeploymentState.RUNNING,
      success: DeploymentState.SUCCESS,
      failed: DeploymentState.FAILED,
      cancelled: DeploymentState.CANCELLED,
      waiting_approval: DeploymentState.WAITING_APPROVAL,
    };
    for (const [wire, state] of Object.entries(expected)) expect(deploymentStateOf(wire), wire).toBe(state);
    for (const unknown of ["WAITING_APPROVAL", "waiting", "toString", "__proto__", "", null, 3]) {
      expect(deploymentStateOf(unknown)).toBe(DeploymentState.UNSPECIFIED);
    }
  });

  it("turns null fields into proto defaults and RFC 3339 strings into timestamps", () => {
    const wire: WirePipeline = {
      service: "checkout",
      observedAt: "2026-03-01T10:00:00Z",
      environments: [
        {
          environment: "production",
          order: 1,
          state: "waiting_approval",
          currentVersion: null,
          currentSha: null,
          deployedAt: null,
          activeRun: null,
          htmlUrl: "https://github.example/runs",
          pendingApprovals: [
            {
              githubEnvironmentId: 42,
              githubEnvironment: "production",
              reviewers: [{ type: "User", name: "release-manager", htmlUrl: null }],
              waitTimerMinutes: 0,
              waitTimerStartedAt: null,
              currentUserCanApprove: false,
            },
          ],
        },
      ],
    };
    const pipeline = toPipeline(wire);
    expect(pipeline.observedAt?.seconds).toBe(BigInt(Date.parse("2026-03-01T10:00:00Z") / 1000));
    const [status] = pipeline.environments;
    expect(status).toMatchObject({ state: DeploymentState.WAITING_APPROVAL, currentVersion: "" });
    expect([status?.activeRun, status?.deployedAt]).toEqual([undefined, undefined]);
    expect(status?.pendingApprovals[0]).toMatchObject({
      githubEnvironmentId: 42n,
      reviewers: [{ type: "User", name: "release-manager", htmlUrl: "" }],
    });
  });

  it("leaves empty optional environment fields to the plugin's defaults", () => {
    const input = environmentInputOf(
      create(DeploymentEnvironmentSchema, {
        service: "s",
        name: "staging",
        order: 0,
        repository: "acme/s",
        workflow: "deploy.yml",
        environmentInput: "-",
      }),
    );
    expect(input).toEqual({ order: 0, repository: "acme/s", workflow: "deploy.yml", environmentInput: "-" });
  });
});

describe("deployment routes", () => {
  it("percent-encodes every path segment", () => {
    expect(pathOf(deploymentRoutes.review.path, { service: "a/b", environment: "c?d" })).toBe("/services/a%2Fb/environments/c%3Fd/reviews");
    expect(pathOf(deploymentRoutes.pipeline.path, { service: ".." })).toBe("/services/%2E%2E/pipeline");
    expect(pathOf(deploymentRoutes.history.path, { service: "v1.2" })).toBe("/services/v1.2/history");
    expect(() => pathOf(deploymentRoutes.history.path, { service: "" })).toThrow(/must not be empty/);
  });

  it("lists the route table as the catalogue's endpoints, with OpenAPI-style templates", () => {
    const endpoints = endpointsOf(deploymentRoutes);
    expect(endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toContain(
      "POST /services/{service}/environments/{environment}/deployments",
    );
    expect(endpoints.find((endpoint) => endpoint.path === "/workflows")?.parameters).toEqual([
      { name: "repository", type: "string", required: true, description: "owner/name" },
      { name: "githubApiUrl", type: "string", required: false, description: "GitHub REST base URL" },
    ]);
  });

  it("builds queries without empty values, sorted by name", () => {
    expect(Object.entries(queryOf({ sha: "", query: "v1", environment: undefined, pageSize: 5 }))).toEqual([
      ["pageSize", "5"],
      ["query", "v1"],
    ]);
  });
});

describe("canonical JSON", () => {
  it("is independent of key order and keeps unusual keys", () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: null })).toBe(canonicalJson({ a: null, b: [{ x: 2, y: 1 }] }));
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1}}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe("response cache keys", () => {
  const scope = { workspaceId: "ws", pluginId: "deployment", configVersion: 3, path: "/api/deployment/services/s/pipeline", query: {} };

  it("change with the plugin's config version and the namespace generations", () => {
    const base = cacheKey(scope);
    expect(cacheKey({ ...scope })).toBe(base);
    expect(cacheKey({ ...scope, configVersion: 4 })).not.toBe(base);
    expect(cacheKey({ ...scope, generations: ["0"] })).not.toBe(cacheKey({ ...scope, generations: ["1"] }));
    expect(cacheKey({ ...scope, user: { userId: "u", githubToken: "t" } })).not.toBe(base);
  });
});

describe("Retry-After", () => {
  it("reads delay-seconds and HTTP dates, at least one second", () => {
    const now = Date.parse("2026-03-01T10:00:00Z");
    expect(retryAfterOf("120", now)).toBe(120);
    expect(retryAfterOf("0", now)).toBe(1);
    expect(retryAfterOf("Sun, 01 Mar 2026 10:00:30 GMT", now)).toBe(30);
    expect(retryAfterOf("soon", now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });
});
