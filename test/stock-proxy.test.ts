import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./support/calls.js";
import { eventually } from "./support/eventually.js";
import { proxyWithForgedOrbitHeaders } from "./support/forged-orbit-headers.js";
import type { RunningGateway } from "./support/gateway.js";
import { attemptsThatLeak } from "./support/leaks.js";
import { startGitHubRest, startJiraRest } from "./support/proxy-simulators.js";
import type { RunningGitHubRest, RunningJiraRest } from "./support/proxy-simulators.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { enableInWorkspaces, settingsChangeUnderTraffic, startStockStack, stockClients } from "./support/stock-stack.js";

// `github-actions` and `jira` (Jira's REST paths) end to end: Connect call → gateway → sidecar → the workspace's own
// Backstage process running the unmodified proxy backend (@backstage/plugin-proxy-backend) → GitHub / Jira simulator.
// Workspace A: github.com-style GitHub (demo seed, orbit-bot's token) and the demo Jira site. Workspace B: a GitHub
// Enterprise Server (REST under /api/v3) and a Jira site of its own, each with other data and another account.

const WS_A = "ws-proxy-a";
const WS_B = "ws-proxy-b";
const A_GITHUB_TOKEN = "ghp_demo_orbit_bot";
const B_GITHUB_TOKEN = "ghp_globex_bot_0001";
const A_JIRA = { email: "orbit-bot@acme.example", apiToken: "ATATT3xDemoOrbitBotToken0001" };
const B_JIRA = { email: "bot@globex.example", apiToken: "ATATT3xGlobexBotToken0009" };
const PULLS = "/repos/acme/checkout/pulls";
const SEARCH = "/rest/api/3/search/jql";

let githubA: RunningGitHubRest;
let githubB: RunningGitHubRest;
let jiraA: RunningJiraRest;
let jiraB: RunningJiraRest;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const { client, asMember, asAdmin } = stockClients(() => gw);
const decoded = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as unknown;

async function call(pluginId: string, workspaceId: string, endpointPath: string, extra: Record<string, unknown> = {}) {
  const response = await client().proxyPluginRequest({ workspaceId, pluginId, endpointPath, ...extra }, await asMember(workspaceId));
  return { status: response.statusCode, body: decoded(response.data) };
}

interface Pull {
  number: number;
  title: string;
  state: string;
  html_url: string;
  user: { login: string };
}
const pulls = async (workspaceId: string, queryParams: Record<string, string> = {}) =>
  (await call("github-actions", workspaceId, PULLS, { queryParams })).body as Pull[];

interface SearchAnswer {
  issues: { key: string; fields: { summary: string; status?: { name: string } } }[];
}
const search = async (workspaceId: string, jql: string) =>
  (await call("jira", workspaceId, SEARCH, { queryParams: { jql, fields: "summary,status" } })).body as SearchAnswer;

beforeAll(async () => {
  [githubA, githubB, jiraA, jiraB] = await Promise.all([
    startGitHubRest(),
    startGitHubRest({ ghes: true }),
    startJiraRest(),
    startJiraRest(),
  ]);
  await githubB.seed({
    users: [{ login: "globex-bot", name: "Globex Bot", tokens: [B_GITHUB_TOKEN] }],
    orgs: ["acme"],
    repos: [
      {
        owner: "acme",
        name: "checkout",
        collaborators: { "globex-bot": "read" },
        pulls: [{ title: "Globex: ship the loyalty programme", author: "globex-bot", head: "loyalty", state: "open" }],
      },
    ],
  });
  await jiraB.seed({
    accounts: [{ email: B_JIRA.email, apiTokens: [B_JIRA.apiToken], displayName: "Globex Bot" }],
    projects: [
      {
        key: "OPS",
        name: "Globex Operations",
        issues: [{ summary: "Globex: renew the TLS certificates", status: "To Do", created: "2026-03-01T08:00:00Z" }],
      },
    ],
  });
  ({ sidecar, gw } = await startStockStack([githubA.url, githubB.url, jiraA.url, jiraB.url], {
    // A workspace's first call waits for its process to start: ~2 s on a quiet machine, over 10 s (the default) on a loaded one.
    SIDECAR_TIMEOUT: "30s",
  }));
  for (const [workspaceId, github, token, jira, account] of [
    [WS_A, githubA, A_GITHUB_TOKEN, jiraA, A_JIRA],
    [WS_B, githubB, B_GITHUB_TOKEN, jiraB, B_JIRA],
  ] as const) {
    await enableInWorkspaces(gw, "github-actions", [{ workspaceId, config: { github_api_url: github.apiUrl }, secrets: { token } }]);
    await enableInWorkspaces(gw, "jira", [
      { workspaceId, config: { base_url: jira.url, email: account.email }, secrets: { api_token: account.apiToken } },
    ]);
  }
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), githubA?.stop(), githubB?.stop(), jiraA?.stop(), jiraB?.stop()]);
});

describe("github-actions (Backstage's proxy backend), two workspaces with different settings", () => {
  it("answers each workspace from its own GitHub with its own token, GitHubPRsList's call included", async () => {
    const a = await pulls(WS_A, { state: "all", per_page: "10" });
    expect(a.map((pull) => pull.title)).toContain("Express checkout behind a feature flag");
    expect(a.every((pull) => pull.html_url.startsWith(githubA.url))).toBe(true);
    const b = await pulls(WS_B, { state: "all" });
    expect(b.map((pull) => [pull.title, pull.user.login])).toEqual([["Globex: ship the loyalty programme", "globex-bot"]]);
    expect(b[0]?.html_url.startsWith(githubB.url)).toBe(true);

    // GitHubPRsList's GetPluginData form: the path and the query in one map.
    const data = await client().getPluginData(
      { workspaceId: WS_A, pluginId: "github-actions", params: { path: PULLS, state: "open" } },
      await asMember(WS_A),
    );
    expect((decoded(data.data) as Pull[]).every((pull) => pull.state === "open")).toBe(true);

    // The GitHub Actions plugin's reads: workflows, runs of the repository and of one workflow.
    const workflows = (await call("github-actions", WS_A, "/repos/acme/checkout/actions/workflows")).body as {
      workflows: { name: string; path: string }[];
    };
    expect(workflows.workflows.map((workflow) => workflow.path)).toEqual([".github/workflows/deploy.yml", ".github/workflows/ci.yml"]);
    const runs = (
      await call("github-actions", WS_A, "/repos/acme/checkout/actions/runs", { queryParams: { branch: "main", per_page: "5" } })
    ).body as { total_count: number; workflow_runs: unknown[] };
    expect(runs).toMatchObject({ total_count: expect.any(Number), workflow_runs: expect.any(Array) });
    const deployRuns = await call("github-actions", WS_A, "/repos/acme/checkout/actions/workflows/deploy.yml/runs");
    expect(deployRuns.status).toBe(200);

    // Every upstream call was made with the workspace's own token (the child's Backstage token never left it).
    const logA = await githubA.requests();
    const logB = await githubB.requests();
    expect(new Set(logA.map((entry) => entry.identity))).toEqual(new Set(["orbit-bot"]));
    expect(new Set(logB.map((entry) => entry.identity))).toEqual(new Set(["globex-bot"]));
    // B's GitHub Enterprise Server serves the REST API under /api/v3 only: its 200s show the settings' base URL was used.
    expect(logB.length).toBeGreaterThan(0);
    expect(logB.every((entry) => entry.status === 200)).toBe(true);
    expect(gw.logLines.join("\n")).not.toContain(A_GITHUB_TOKEN);
  }, 90_000);

  it("maps GitHub's 404 to NOT_FOUND", async () => {
    const missing = await errorOf(
      client().proxyPluginRequest(
        { workspaceId: WS_A, pluginId: "github-actions", endpointPath: "/repos/acme/no-such-repo/pulls" },
        await asMember(WS_A),
      ),
    );
    expect(missing.code).toBe(Code.NotFound);
  }, 60_000);
});

describe("jira: Jira's REST paths through the proxy backend, the typed ListJiraIssues through the jira plugin", () => {
  it("answers each workspace from its own Jira site with its own account, on both paths", async () => {
    const a = await search(WS_A, "project = OPS ORDER BY created DESC");
    expect(a.issues.map((issue) => issue.fields.summary)).toContain("Rotate the payment gateway keys");
    const b = await search(WS_B, "project = OPS ORDER BY created DESC");
    expect(b.issues.map((issue) => [issue.key, issue.fields.summary, issue.fields.status?.name])).toEqual([
      ["OPS-1", "Globex: renew the TLS certificates", "To Do"],
    ]);

    // One issue and one project, the other REST paths of the allow-list.
    const issue = (await call("jira", WS_B, "/rest/api/3/issue/OPS-1", { queryParams: { fields: "summary" } })).body;
    expect(issue).toMatchObject({ key: "OPS-1", fields: { summary: "Globex: renew the TLS certificates" } });
    expect((await call("jira", WS_A, "/rest/api/3/project/OPS")).body).toMatchObject({ key: "OPS", name: "Operations" });
    expect((await call("jira", WS_B, "/rest/api/3/project/OPS")).body).toMatchObject({ key: "OPS", name: "Globex Operations" });
    const hidden = await errorOf(
      client().proxyPluginRequest({ workspaceId: WS_A, pluginId: "jira", endpointPath: "/rest/api/3/project/SEC" }, await asMember(WS_A)),
    );
    expect(hidden.code).toBe(Code.NotFound);

    // The typed RPC stays on the jira plugin, with the same settings.
    const typedA = await client().listJiraIssues({ workspaceId: WS_A, projectKey: "OPS" }, await asMember(WS_A));
    expect(typedA.issues.map((issue) => issue.summary)).toContain("Rotate the payment gateway keys");
    const typedB = await client().listJiraIssues({ workspaceId: WS_B, projectKey: "OPS" }, await asMember(WS_B));
    expect(typedB.issues.map((issue) => issue.summary)).toEqual(["Globex: renew the TLS certificates"]);

    const logA = await jiraA.requests();
    const logB = await jiraB.requests();
    expect(logA.length).toBeGreaterThanOrEqual(2);
    expect(logA.every((entry) => entry.account === A_JIRA.email)).toBe(true);
    expect(logB.every((entry) => entry.account === B_JIRA.email && entry.status === 200)).toBe(true);
    expect(logA.some((entry) => entry.url.startsWith(`${SEARCH}?`) && entry.url.includes("fields=summary%2Cstatus"))).toBe(true);
  }, 90_000);
});

describe("cross-workspace battery (workspace B aiming at workspace A's GitHub and Jira)", () => {
  const aGitHubHost = () => new URL(githubA.url).host;
  const aSettings = () =>
    Buffer.from(JSON.stringify({ config: { github_api_url: githubA.apiUrl }, secrets: { token: A_GITHUB_TOKEN } })).toString("base64url");
  const bSettings = () =>
    Buffer.from(JSON.stringify({ config: { github_api_url: githubB.apiUrl }, secrets: { token: B_GITHUB_TOKEN } })).toString("base64url");
  const bJiraSettings = () =>
    Buffer.from(JSON.stringify({ config: { base_url: jiraB.url, email: B_JIRA.email }, secrets: { api_token: B_JIRA.apiToken } })).toString(
      "base64url",
    );
  // Straight to the sidecar with its service token, as a caller that got past the gateway would.
  const direct = async (path: string, headers: Record<string, string>, settings: string, method = "GET") => {
    const response = await fetch(`${sidecar.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${sidecar.token}`, "x-orbit-workspace-id": WS_B, "x-orbit-plugin-config": settings, ...headers },
    });
    return { status: response.status, text: await response.text() };
  };
  const gh = (endpointPath: string, extra: Record<string, unknown> = {}) => call("github-actions", WS_B, endpointPath, extra);
  const jira = (endpointPath: string, extra: Record<string, unknown> = {}) => call("jira", WS_B, endpointPath, extra);

  const attempts: [string, () => Promise<unknown>][] = [
    ["Authorization with A's token (gateway headers map)", () => gh(PULLS, { headers: { Authorization: `Bearer ${A_GITHUB_TOKEN}` } })],
    ["Host of A's GitHub (gateway headers map)", () => gh(PULLS, { headers: { Host: aGitHubHost() } })],
    ["X-Forwarded-Host of A's GitHub (gateway headers map)", () => gh(PULLS, { headers: { "X-Forwarded-Host": aGitHubHost() } })],
    [
      "Authorization, Host, X-Forwarded-* at the sidecar",
      () =>
        direct(
          `/api/github-actions${PULLS}`,
          {
            "x-github-token": A_GITHUB_TOKEN,
            "x-forwarded-host": aGitHubHost(),
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-proto": "http",
            forwarded: `host=${aGitHubHost()}`,
          },
          bSettings(),
        ).then(({ status, text }) => {
          expect([status, text]).toEqual([200, expect.stringContaining("Globex")]); // B's own answer, nothing of A's
          return text;
        }),
    ],
    ["absolute URL of A's GitHub as the path", () => gh(`${githubA.apiUrl}${PULLS}`)],
    ["//host of A's GitHub in the path", () => gh(`//${aGitHubHost()}${PULLS}`)],
    ["//host at the sidecar", () => direct(`/api/github-actions//${aGitHubHost()}${PULLS}`, {}, bSettings())],
    ["encoded absolute URL at the sidecar", () => direct(`/api/github-actions/http:%2F%2F${aGitHubHost()}${PULLS}`, {}, bSettings())],
    ["encoded traversal", () => gh("/repos/acme/checkout/pulls/%2e%2e/%2e%2e/%2e%2e/user")],
    ["encoded traversal at the sidecar", () => direct("/api/github-actions/repos/acme/%2e%2e/%2e%2e/user", {}, bSettings())],
    ["double-encoded traversal at the sidecar", () => direct("/api/github-actions/repos/acme/checkout/%252e%252e/pulls", {}, bSettings())],
    ["dot segments at the sidecar", () => direct("/api/github-actions/repos/acme/../../user", {}, bSettings())],
    ["a query parameter the route does not take", () => gh(PULLS, { queryParams: { access_token: A_GITHUB_TOKEN } })],
    ["a target in the query", () => gh(PULLS, { queryParams: { state: "open", target: githubA.apiUrl } })],
    ["a value off its pattern", () => gh(PULLS, { queryParams: { per_page: "1000" } })],
    ["a route off the list (contents)", () => gh("/repos/acme/checkout/contents/README.md")],
    ["a route off the list (user)", () => gh("/user")],
    ["POST to a listed path", () => gh(PULLS, { httpMethod: "POST", body: new TextEncoder().encode("{}") })],
    ["rerun (POST)", () => gh("/repos/acme/checkout/actions/runs/1/rerun", { httpMethod: "POST", body: new TextEncoder().encode("{}") })],
    ["Backstage's actions", () => gh("/.backstage/actions/v1/actions")],
    ["the proxy's own path", () => gh(`/api/proxy/upstream${PULLS}`)],
    [
      "X-Orbit-* headers as call metadata",
      () =>
        proxyWithForgedOrbitHeaders(
          gw,
          WS_B,
          { pluginId: "github-actions", endpointPath: PULLS },
          { workspaceId: WS_A, settings: aSettings() },
        ),
    ],
    [
      "A's workspace id with B's token",
      async () => client().proxyPluginRequest({ workspaceId: WS_A, pluginId: "github-actions", endpointPath: PULLS }, await asMember(WS_B)),
    ],
    ["Jira: a path off the list (myself)", () => jira("/rest/api/3/myself")],
    ["Jira: the removed search", () => jira("/rest/api/2/search", { queryParams: { jql: "project = OPS" } })],
    ["Jira: a query parameter the route does not take", () => jira(SEARCH, { queryParams: { jql: "project = OPS", baseUrl: jiraA.url } })],
    ["Jira: a repeated or empty jql", () => jira(SEARCH, { queryParams: { jql: "" } })],
    ["Jira: encoded traversal at the sidecar", () => direct(`/api/jira${SEARCH}/%2e%2e%2fmyself`, {}, bJiraSettings())],
    [
      "Jira: Authorization and X-Forwarded-Host at the sidecar",
      () =>
        direct(
          `/api/jira${SEARCH}?jql=project%20%3D%20OPS`,
          {
            "x-forwarded-host": new URL(jiraA.url).host,
            "x-jira-authorization": `Basic ${Buffer.from(`${A_JIRA.email}:${A_JIRA.apiToken}`).toString("base64")}`,
          },
          bJiraSettings(),
        ).then(({ status, text }) => {
          expect([status, text]).toEqual([200, expect.stringContaining("Globex")]);
          return text;
        }),
    ],
  ];

  it(`leaks nothing in ${attempts.length} attempts and makes no call to A's GitHub or Jira`, async () => {
    await Promise.all([pulls(WS_B), search(WS_B, "project = OPS")]); // B's processes are up, so every attempt reaches them
    const [githubBefore, jiraBefore] = [(await githubA.requests()).length, (await jiraA.requests()).length];
    const aMarks = [githubA.url, jiraA.url, "Express checkout", "Rotate the payment gateway keys", A_GITHUB_TOKEN, A_JIRA.apiToken];
    const leaks = await attemptsThatLeak(attempts, (seen) => aMarks.some((mark) => seen.includes(mark)));
    expect(leaks).toEqual([]);
    expect((await githubA.requests()).length).toBe(githubBefore);
    expect((await jiraA.requests()).length).toBe(jiraBefore);
  }, 120_000);

  it("refuses with the reason: 400 for a query the route does not take, 404 off the list", async () => {
    const badQuery = await errorOf(gh(PULLS, { queryParams: { access_token: "x" } }));
    expect(badQuery.code).toBe(Code.InvalidArgument);
    expect(badQuery.rawMessage).toContain('takes no query parameter "access_token"');
    const offList = await errorOf(gh("/repos/acme/checkout/contents/README.md"));
    expect(offList.code).toBe(Code.NotFound);
    const header = await errorOf(gh(PULLS, { headers: { Authorization: "Bearer x" } }));
    expect(header.code).toBe(Code.InvalidArgument);
  }, 60_000);
});

describe("a settings change", () => {
  it("takes effect for that workspace within seconds (GitHub under steady traffic, 0 failed; Jira), not for the other", async () => {
    // Steady traffic in both workspaces during A's GitHub change; each call a page size of its own, so none is a cache hit.
    let sequence = 0;
    const {
      timeToEffectMs: githubMs,
      ok,
      failed,
    } = await settingsChangeUnderTraffic({
      workspaces: [WS_A, WS_B],
      call: (workspaceId) => pulls(workspaceId, { state: "all", per_page: String((sequence++ % 100) + 1) }),
      changed: WS_A,
      tookEffect: (answer) => answer.some((pull) => pull.title.startsWith("Globex")),
      change: async () => {
        await client().updatePluginConfig(
          { workspaceId: WS_A, pluginId: "github-actions", config: { github_api_url: githubB.apiUrl }, secrets: { token: B_GITHUB_TOKEN } },
          await asAdmin(WS_A),
        );
      },
      pacingMs: 0,
    });
    expect(failed[WS_A]).toEqual([]);
    expect(failed[WS_B]).toEqual([]);

    const jiraChangedAt = Date.now();
    await client().updatePluginConfig(
      {
        workspaceId: WS_A,
        pluginId: "jira",
        config: { base_url: jiraB.url, email: B_JIRA.email },
        secrets: { api_token: B_JIRA.apiToken },
      },
      await asAdmin(WS_A),
    );
    await eventually(
      () => search(WS_A, "project = OPS"),
      (answer) => answer.issues.some((issue) => issue.fields.summary.startsWith("Globex")),
      "workspace A's Jira search from the new site",
      30_000,
    );
    const jiraMs = Date.now() - jiraChangedAt;
    console.info(
      `proxy settings change: ${JSON.stringify({ githubTimeToEffectMs: githubMs, calls: { a: ok[WS_A], b: ok[WS_B] }, failed: 0, jiraTimeToEffectMs: jiraMs })}`,
    );
    expect(githubMs).toBeLessThan(30_000);

    // Workspace B is untouched; A's typed ListJiraIssues follows the same settings.
    expect((await pulls(WS_B)).map((pull) => pull.title)).toEqual(["Globex: ship the loyalty programme"]);
    const typedA = await client().listJiraIssues({ workspaceId: WS_A, projectKey: "OPS" }, await asMember(WS_A));
    expect(typedA.issues.map((issue) => issue.summary)).toEqual(["Globex: renew the TLS certificates"]);
  }, 120_000);
});
