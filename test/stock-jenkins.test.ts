import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./support/calls.js";
import { proxyWithForgedOrbitHeaders } from "./support/forged-orbit-headers.js";
import type { RunningGateway } from "./support/gateway.js";
import { eventually } from "./support/eventually.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { startJenkinsSimulator } from "./support/jenkins-simulator.js";
import type { RunningJenkinsSimulator } from "./support/jenkins-simulator.js";
import { COLD_START_SIDECAR_TIMEOUT, enableInWorkspaces, startStockStack, stockClients } from "./support/stock-stack.js";

// The stock Jenkins plugin end to end: Connect call → gateway → sidecar → the workspace's own
// Backstage process running the unmodified @backstage-community/plugin-jenkins-backend → Jenkins
// simulator. Both workspaces map the entity `ledger` to the job `platform/ledger` (a folder).

const WS_A = "ws-jenkins-a";
const WS_B = "ws-jenkins-b";
const JOBS = "ledger=platform/ledger";
const ENTITY = (name: string) => `/v1/entity/default/component/${name}`;

let acme: RunningJenkinsSimulator;
let globex: RunningJenkinsSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const { client, asMember, asAdmin } = stockClients(() => gw);

interface Build {
  number: number;
  result: string | null;
  building: boolean;
  status: string;
  url: string;
  source?: { branchName?: string; commit?: { hash: string } };
  tests?: { total: number; passed: number; skipped: number; failed: number };
}
interface Project {
  name: string;
  fullName: string;
  status: string;
  url: string;
  lastBuild: Build | null;
}

async function call<T>(workspaceId: string, endpointPath: string, extra: Record<string, unknown> = {}) {
  const response = await client().proxyPluginRequest(
    { workspaceId, pluginId: "jenkins", endpointPath, ...extra },
    await asMember(workspaceId),
  );
  return { status: response.statusCode, body: JSON.parse(new TextDecoder().decode(response.data)) as T };
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([startJenkinsSimulator("acme"), startJenkinsSimulator("globex")]);
  ({ sidecar, gw } = await startStockStack([acme.url, globex.url], COLD_START_SIDECAR_TIMEOUT));
  await enableInWorkspaces(gw, "jenkins", [
    { workspaceId: WS_A, config: { base_url: acme.url, username: acme.user, jobs: JOBS }, secrets: { api_key: acme.apiToken } },
    { workspaceId: WS_B, config: { base_url: globex.url, username: globex.user, jobs: JOBS }, secrets: { api_key: globex.apiToken } },
  ]);
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), acme?.stop(), globex?.stop()]);
});

describe("Jenkins (stock plugin), two workspaces with different settings", () => {
  it("answers each workspace's projects from its own Jenkins with its own account, top-level and folder jobs", async () => {
    const a = await call<{ projects: Project[] }>(WS_A, `${ENTITY("checkout")}/projects`);
    expect(a.body.projects.map((project) => [project.name, project.status, project.lastBuild?.number])).toEqual([
      ["checkout", "SUCCESS", 42],
    ]);
    expect(a.body.projects[0]?.url.startsWith(acme.url)).toBe(true);
    const b = await call<{ projects: Project[] }>(WS_B, `${ENTITY("checkout")}/projects`);
    expect(b.body.projects.map((project) => [project.name, project.status, project.lastBuild?.number])).toEqual([
      ["checkout", "UNSTABLE", 3],
    ]);
    const running = await call<{ projects: Project[] }>(WS_B, `${ENTITY("inventory")}/projects`);
    expect(running.body.projects[0]).toMatchObject({ status: "running", lastBuild: { building: true } });

    // The entity `ledger` is the job platform/ledger (the jobs setting): the plugin lists the folder's jobs.
    const ledgerA = await call<{ projects: Project[] }>(WS_A, `${ENTITY("ledger")}/projects`);
    expect(ledgerA.body.projects.map((project) => [project.fullName, project.status, project.lastBuild?.number])).toEqual([
      ["platform/ledger", "SUCCESS", 5],
    ]);
    const ledgerB = await call<{ projects: Project[] }>(WS_B, `${ENTITY("ledger")}/projects`);
    expect(ledgerB.body.projects.map((project) => [project.fullName, project.status, project.lastBuild?.number])).toEqual([
      ["platform/ledger", "ABORTED", 2],
    ]);
    expect((await acme.requests()).every((entry) => entry.user === acme.user && entry.status === 200)).toBe(true);
    expect((await globex.requests()).every((entry) => entry.user === globex.user && entry.status === 200)).toBe(true);
  }, 90_000);

  it("answers a job's builds, one build and its console text, for a job in a folder too", async () => {
    const builds = await call<{ build: { fullName: string; builds: Build[] } }>(WS_A, `${ENTITY("checkout")}/job/checkout`);
    expect(builds.status).toBe(200);
    expect([builds.body.build.fullName, builds.body.build.builds.map((build) => build.number)]).toEqual(["checkout", [42, 41]]);

    const one = await call<{ build: Build }>(WS_A, `${ENTITY("checkout")}/job/checkout/42`);
    expect(one.body.build).toMatchObject({
      number: 42,
      status: "SUCCESS",
      source: { branchName: "refs/remotes/origin/main", commit: { hash: "a1b2c3d4" } },
      tests: { total: 120, passed: 116, skipped: 4, failed: 0 },
    });

    const log = await call<{ consoleText: string }>(WS_A, `${ENTITY("checkout")}/job/checkout/42/consoleText`);
    expect(log.body.consoleText).toContain("building checkout #42");
    expect(log.body.consoleText).toContain("Finished: SUCCESS");

    // A job in a folder: written /job/platform/job/ledger (Jenkins' own way; the gateway refuses %2F).
    const inFolder = await call<{ build: Build }>(WS_B, `${ENTITY("ledger")}/job/platform/job/ledger/2`);
    expect(inFolder.body.build).toMatchObject({ number: 2, status: "ABORTED" });
    const folderLog = await call<{ consoleText: string }>(WS_B, `${ENTITY("ledger")}/job/platform/job/ledger/2/consoleText`);
    expect(folderLog.body.consoleText).toContain("building platform/ledger #2");
    const paths = (await globex.requests()).map((entry) => entry.path);
    expect(paths).toContain("/job/platform/job/ledger/2/api/json");
    expect(paths).toContain("/job/platform/job/ledger/2/consoleText");
  }, 90_000);

  it("rebuilds a build for a member (POST), in the workspace's own Jenkins", async () => {
    const rebuilt = await call<Record<string, never>>(WS_A, `${ENTITY("payments")}/job/payments/7`, { httpMethod: "POST" });
    expect([rebuilt.status, rebuilt.body]).toEqual([200, {}]);
    const rebuild = (await acme.requests()).find((entry) => entry.method === "POST");
    expect(rebuild).toMatchObject({ path: "/job/payments/7/replay/rebuild", user: acme.user, status: 302 });
    const builds = await call<{ build: { builds: Build[] } }>(WS_A, `${ENTITY("payments")}/job/payments`);
    expect(builds.body.build.builds.map((build) => [build.number, build.building])).toEqual([
      [8, true],
      [7, false],
    ]);
    expect((await globex.requests()).some((entry) => entry.method === "POST")).toBe(false);
  }, 90_000);
});

describe("cross-workspace battery (workspace B aiming at workspace A's Jenkins)", () => {
  const aSettings = () =>
    Buffer.from(
      JSON.stringify({ config: { base_url: acme.url, username: acme.user, jobs: JOBS }, secrets: { api_key: acme.apiToken } }),
    ).toString("base64url");
  const post = { httpMethod: "POST" };
  const attempts: [string, () => Promise<unknown>][] = [
    ["A's job by path (projects)", () => call(WS_B, `${ENTITY("payments")}/projects`)],
    ["A's job by path (builds)", () => call(WS_B, `${ENTITY("payments")}/job/payments`)],
    ["A's build by path", () => call(WS_B, `${ENTITY("payments")}/job/payments/7`)],
    ["A's console text by path", () => call(WS_B, `${ENTITY("payments")}/job/payments/7/consoleText`)],
    ["A's build rebuilt by path", () => call(WS_B, `${ENTITY("payments")}/job/payments/7`, post)],
    ["another job than the entity's", () => call(WS_B, `${ENTITY("checkout")}/job/payments/7`)],
    ["another job than the entity's, rebuilt", () => call(WS_B, `${ENTITY("checkout")}/job/payments/7`, post)],
    ["the folder above the entity's job", () => call(WS_B, `${ENTITY("ledger")}/job/platform/2`)],
    ["a sibling in the entity's folder", () => call(WS_B, `${ENTITY("ledger")}/job/platform/job/payments/7`)],
    ["A's workspace as namespace", () => call(WS_B, "/v1/entity/ws-jenkins-a/component/payments/job/payments/7")],
    ["instance prefix in the job", () => call(WS_B, `${ENTITY("checkout")}/job/default:payments/7`)],
    ["traversal with .. segments", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/job/../job/payments/7`)],
    ["traversal with an encoded /", () => call(WS_B, `${ENTITY("checkout")}/job/checkout%2F..%2Fpayments/7`)],
    ["folder by an encoded /", () => call(WS_B, `${ENTITY("ledger")}/job/platform%2Fledger/2`)],
    ["traversal with encoded dots", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/job/%2e%2e/job/payments/7`)],
    ["a /job/ path inside the job name", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/job/job/payments/7`)],
    ["a build number with letters", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/7abc`)],
    ["a negative build number", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/-7`)],
    ["a build number in hex", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/0x7`)],
    ["a build alias", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/lastBuild/consoleText`)],
    ["the job in the query", () => call(WS_B, `${ENTITY("checkout")}/job/checkout/3`, { queryParams: { jobFullName: "payments" } })],
    ["a branch in the query", () => call(WS_B, `${ENTITY("checkout")}/projects`, { queryParams: { branch: "../payments" } })],
    [
      "a body naming A's job and instance on rebuild",
      () =>
        call(WS_B, `${ENTITY("checkout")}/job/checkout/3`, {
          ...post,
          body: new TextEncoder().encode(JSON.stringify({ jobFullName: "payments", baseUrl: acme.url })),
          headers: { "content-type": "application/json" },
        }),
    ],
    ["Backstage actions of the plugin", () => call(WS_B, "/.backstage/actions/v1/actions")],
    ["invoking the plugin's rebuild action", () => call(WS_B, "/.backstage/actions/v1/actions/jenkins:trigger-build/invoke", post)],
    [
      "X-Orbit-Workspace-Id as a forwarded header",
      () => call(WS_B, `${ENTITY("payments")}/job/payments/7`, { headers: { "X-Orbit-Workspace-Id": WS_A } }),
    ],
    [
      "X-Orbit-* headers as call metadata",
      () =>
        proxyWithForgedOrbitHeaders(
          gw,
          WS_B,
          { pluginId: "jenkins", endpointPath: `${ENTITY("payments")}/job/payments/7` },
          { workspaceId: WS_A, settings: aSettings() },
        ),
    ],
    [
      "A's workspace id with B's token",
      async () =>
        client().proxyPluginRequest(
          { workspaceId: WS_A, pluginId: "jenkins", endpointPath: `${ENTITY("payments")}/job/payments/7` },
          await asMember(WS_B),
        ),
    ],
  ];

  it(`leaks nothing in ${attempts.length} attempts and makes no call to A's Jenkins`, async () => {
    await call(WS_B, `${ENTITY("checkout")}/projects`); // B's process is up, so every attempt reaches it
    const acmeCallsBefore = (await acme.requests()).length;
    const rebuiltInB = async () => (await globex.requests()).filter((entry) => entry.method === "POST" && entry.status === 302).length;
    const globexRebuildsBefore = await rebuiltInB();
    const leaks: string[] = [];
    const codes: Record<string, string> = {};
    for (const [name, attempt] of attempts) {
      let seen: string;
      try {
        seen = JSON.stringify(await attempt());
        codes[name] = "ok";
      } catch (error) {
        seen = String((error as Error).message);
        codes[name] = Code[ConnectError.from(error).code] ?? "?";
      }
      if (
        seen.includes(acme.url) ||
        seen.includes(acme.user) ||
        seen.includes(acme.apiToken) ||
        seen.includes('"number":7') ||
        seen.includes("building payments")
      )
        leaks.push(name);
    }
    console.info(`jenkins battery outcomes: ${JSON.stringify(codes)}`);
    expect(leaks).toEqual([]);
    expect((await acme.requests()).length).toBe(acmeCallsBefore);
    // Nothing was rebuilt in B's own Jenkins either (B's rebuild of "payments" reaches B's Jenkins, which has no such job).
    expect(await rebuiltInB()).toBe(globexRebuildsBefore);
    // Refused by the gate or the gateway, not merely unanswered: only B's own unknown job reaches B's Jenkins.
    for (const name of [
      "another job than the entity's",
      "the folder above the entity's job",
      "a build number with letters",
      "traversal with an encoded /",
    ]) {
      expect(["InvalidArgument", "NotFound"], name).toContain(codes[name]);
    }
  }, 120_000);
});

describe("settings that the plugin needs", () => {
  it("refuses a malformed jobs setting with INVALID_ARGUMENT naming it", async () => {
    const refused = await errorOf(
      client().updatePluginConfig(
        { workspaceId: WS_A, pluginId: "jenkins", config: { jobs: "ledger=platform/../payments" } },
        await asAdmin(WS_A),
      ),
    );
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.rawMessage).toContain("jobs");
  });

  it("takes a changed jobs mapping (UpdatePluginConfig) for that workspace only", async () => {
    await client().updatePluginConfig(
      { workspaceId: WS_B, pluginId: "jenkins", config: { jobs: "ledger=inventory" } },
      await asAdmin(WS_B),
    );
    const names = async (workspaceId: string) =>
      (await call<{ projects: Project[] }>(workspaceId, `${ENTITY("ledger")}/projects`)).body.projects.map((project) => project.fullName);
    // The new settings' process takes over once it is ready (blue/green); until then the old one answers.
    expect(
      await eventually(
        () => names(WS_B),
        (seen) => seen[0] === "inventory",
        "B's ledger to be the inventory job",
        60_000,
      ),
    ).toEqual(["inventory"]);
    expect(await names(WS_A)).toEqual(["platform/ledger"]);
    // The job routes follow the mapping too: platform/ledger is no longer B's ledger's job.
    const refused = await errorOf(call(WS_B, `${ENTITY("ledger")}/job/platform/job/ledger/2`));
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.rawMessage).toContain("is neither the job of entity ledger (inventory) nor below it");
  }, 90_000);
});
