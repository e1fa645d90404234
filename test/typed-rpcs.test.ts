import { randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { errorOf } from "./support/calls.js";
import { asUser, enableDeploymentPlugin } from "./support/deployments.js";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { GITHUB_TOKENS, startGitHubSimulator } from "./support/github-simulator.js";
import type { RunningGitHubSimulator } from "./support/github-simulator.js";
import { JIRA_DEMO_ACCOUNT, startJiraSimulator } from "./support/jira-simulator.js";
import type { RunningJiraSimulator } from "./support/jira-simulator.js";
import { startSidecar } from "./support/sidecar.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { egressAllowing } from "./support/egress.js";

// The seed's typed RPCs, end to end: gateway → sidecar plugins → GitHub / Jira simulators.

const WS = "ws-typed";
const OFF = "ws-typed-off";

let github: RunningGitHubSimulator;
let jira: RunningJiraSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

beforeAll(async () => {
  [github, jira] = await Promise.all([startGitHubSimulator(), startJiraSimulator()]);
  sidecar = await startSidecar(egressAllowing(github.apiUrl, jira.url));
  gw = await startGateway({
    ...egressAllowing(github.apiUrl, jira.url),
    BACKSTAGE_URL: sidecar.url,
    BACKSTAGE_SERVICE_TOKEN: sidecar.token,
    ORBIT_SECRETS_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    RATE_LIMIT_MAX: "100000",
  });
  await enableDeploymentPlugin(gw, WS, github.apiUrl, GITHUB_TOKENS.orbitBot);
  const admin = bearer(await gw.token({ workspaceId: WS, admin: true }));
  const plugins = pluginsClient("connect-json", gw.url);
  await plugins.enablePlugin({ workspaceId: WS, pluginId: "jira", config: { base_url: jira.url, email: JIRA_DEMO_ACCOUNT.email } }, admin);
  await plugins.updatePluginConfig({ workspaceId: WS, pluginId: "jira", secrets: { api_token: JIRA_DEMO_ACCOUNT.apiToken } }, admin);
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), github?.stop(), jira?.stop()]);
});

const client = () => pluginsClient("grpc", gw.url);
const user = async (workspaceId = WS, githubToken?: string) => asUser(await gw.token({ workspaceId }), githubToken);

describe("ListGitHubPullRequests (deployment plugin)", () => {
  it("lists a repository's open pull requests by default, and merged or closed ones when asked", async () => {
    const open = await client().listGitHubPullRequests({ workspaceId: WS, repository: "acme/checkout" }, await user());
    expect(open.pullRequests.map((pull) => pull.title).sort()).toEqual([
      "Draft: migrate to the new tax API",
      "Express checkout behind a feature flag",
    ]);
    const express = open.pullRequests.find((pull) => pull.title.startsWith("Express"));
    expect(express).toMatchObject({ state: "open", author: "dev" });
    expect(express?.number).toBeGreaterThan(0n);
    expect(express?.url).toContain(`${github.url}/acme/checkout/pull/`);
    expect(Number.isNaN(Date.parse(express?.createdAt ?? ""))).toBe(false);

    const merged = await client().listGitHubPullRequests({ workspaceId: WS, repository: "acme/checkout", state: "merged" }, await user());
    expect(merged.pullRequests.map((pull) => [pull.title, pull.state])).toEqual([["Retry payment authorisation once", "merged"]]);
    const closed = await client().listGitHubPullRequests(
      { workspaceId: WS, repository: "acme/checkout", state: "closed" },
      await user(WS, GITHUB_TOKENS.dev),
    );
    expect(closed.pullRequests.map((pull) => pull.title)).toContain("Experiment: new basket layout");
  });

  it("refuses bad arguments, an unknown repository and a workspace without the plugin", async () => {
    const noRepository = await errorOf(client().listGitHubPullRequests({ workspaceId: WS, repository: "" }, await user()));
    expect([noRepository.code, noRepository.rawMessage]).toEqual([Code.InvalidArgument, "repository is required"]);
    const badState = await errorOf(
      client().listGitHubPullRequests({ workspaceId: WS, repository: "acme/checkout", state: "draft" }, await user()),
    );
    expect(badState.code).toBe(Code.InvalidArgument);
    expect(badState.rawMessage).toContain("state");
    const unknown = await errorOf(client().listGitHubPullRequests({ workspaceId: WS, repository: "acme/no-such-repo" }, await user()));
    expect(unknown.code).toBe(Code.NotFound);
    const disabled = await errorOf(client().listGitHubPullRequests({ workspaceId: OFF, repository: "acme/checkout" }, await user(OFF)));
    expect(disabled.code).toBe(Code.FailedPrecondition);
  });
});

describe("ListJiraIssues (jira plugin)", () => {
  it("lists a project's issues newest first, with the workspace's Jira site and credentials", async () => {
    const { issues } = await client().listJiraIssues({ workspaceId: WS, projectKey: "OPS" }, await user());
    expect(issues).toHaveLength(6);
    expect(issues[0]).toMatchObject({ summary: "Clean up unused staging databases", status: "To Do", assignee: "" });
    expect(issues[0]?.key).toMatch(/^OPS-\d+$/);
    expect(Date.parse(issues[0]?.createdAt ?? "")).toBe(Date.parse("2026-02-15T11:11:11Z"));
    expect(issues.find((issue) => issue.summary === "Rotate the payment gateway keys")).toMatchObject({
      status: "Done",
      assignee: "Ada Lovelace",
    });

    const log = await jira.requests();
    expect(log.at(-1)).toMatchObject({ account: JIRA_DEMO_ACCOUNT.email, status: 200 });
    expect(gw.logLines.join("\n")).not.toContain(JIRA_DEMO_ACCOUNT.apiToken);
  });

  it("filters by status", async () => {
    const { issues } = await client().listJiraIssues({ workspaceId: WS, projectKey: "OPS", status: "To Do" }, await user());
    expect(issues.map((issue) => issue.status)).toEqual(["To Do", "To Do", "To Do"]);
  });

  it("maps Jira's rate limit to RESOURCE_EXHAUSTED with the retry time, and a refusal to PERMISSION_DENIED", async () => {
    await jira.failNext(429, { retryAfterSeconds: 7 });
    const limited = await errorOf(client().listJiraIssues({ workspaceId: WS, projectKey: "PAY", status: "Done" }, await user()));
    expect(limited.code).toBe(Code.ResourceExhausted);
    expect(Number(limited.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(7);

    await jira.failNext(403);
    const refused = await errorOf(client().listJiraIssues({ workspaceId: WS, projectKey: "PAY", status: "In Review" }, await user()));
    expect(refused.code).toBe(Code.PermissionDenied);
    expect(refused.findDetails(RetryInfoSchema)).toEqual([]);

    // Failures are never cached: the same question succeeds once Jira answers again.
    const { issues } = await client().listJiraIssues({ workspaceId: WS, projectKey: "PAY", status: "Done" }, await user());
    expect(issues.map((issue) => issue.summary)).toEqual(["Retry card authorisation once on timeout"]);
  });

  it("refuses bad arguments, a project the account cannot see and a workspace without the plugin", async () => {
    const missing = await errorOf(client().listJiraIssues({ workspaceId: WS, projectKey: "" }, await user()));
    expect([missing.code, missing.rawMessage]).toEqual([Code.InvalidArgument, "project_key is required"]);
    const malformed = await errorOf(client().listJiraIssues({ workspaceId: WS, projectKey: "1-OPS" }, await user()));
    expect(malformed.code).toBe(Code.InvalidArgument);
    const hidden = await errorOf(client().listJiraIssues({ workspaceId: WS, projectKey: "SEC" }, await user()));
    expect(hidden.code).toBe(Code.NotFound);
    const disabled = await errorOf(client().listJiraIssues({ workspaceId: OFF, projectKey: "OPS" }, await user(OFF)));
    expect(disabled.code).toBe(Code.FailedPrecondition);
  });
});
