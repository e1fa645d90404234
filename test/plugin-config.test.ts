import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { Code, ConnectError } from "@connectrpc/connect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { createScratchPostgres } from "../src/store/test-support/test-databases.js";
import type { ScratchDatabase } from "../src/store/test-support/test-databases.js";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { codeOf, gatewayListening } from "./support/calls.js";
import { freePort } from "./support/redis-server.js";

const run = promisify(execFile);
const key = () => randomBytes(32).toString("base64");

describe("per-workspace plugin configuration (embedded PGlite)", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    // ghe.example: an operator's addition to the egress allow-list (GHES).
    gw = await startGateway({ ORBIT_SECRETS_KEYS: `k1:${key()}`, ORBIT_EGRESS_ALLOWED_HOSTS: "ghe.example, 127.0.0.1:4010" });
  });
  afterAll(async () => gw.close());

  const adminOf = async (workspaceId: string, userId: string) => bearer(await gw.token({ workspaceId, userId, admin: true }));

  it("enable → configure → disable → enable keeps each workspace's state apart, with an audit trail", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const alice = await adminOf("ws-alpha", "alice");
    const bob = await adminOf("ws-beta", "bob");

    const enabled = await client.enablePlugin(
      { workspaceId: "ws-alpha", pluginId: "jira", config: { base_url: "https://alpha.atlassian.net", email: "a@alpha.example" } },
      alice,
    );
    expect(enabled.plugin).toMatchObject({ enabled: true, config: { base_url: "https://alpha.atlassian.net" } });
    await client.enablePlugin({ workspaceId: "ws-beta", pluginId: "deployment", config: {} }, bob);

    const updated = await client.updatePluginConfig(
      { workspaceId: "ws-alpha", pluginId: "jira", config: { email: "ops@alpha.example" }, secrets: { api_token: "alpha-secret-token" } },
      alice,
    );
    expect(updated.plugin?.config).toEqual({ base_url: "https://alpha.atlassian.net", email: "ops@alpha.example" });
    expect(updated.plugin?.secretKeysSet).toEqual(["api_token"]);
    expect(JSON.stringify(updated)).not.toContain("alpha-secret-token");

    await client.disablePlugin({ workspaceId: "ws-alpha", pluginId: "jira" }, alice);
    await client.enablePlugin({ workspaceId: "ws-alpha", pluginId: "jira", config: {} }, alice);

    const alpha = await client.listPlugins({ workspaceId: "ws-alpha" }, alice);
    const beta = await client.listPlugins({ workspaceId: "ws-beta" }, bob);
    expect(Object.fromEntries(alpha.plugins.map((plugin) => [plugin.id, plugin.enabled]))).toEqual({
      deployment: false,
      jira: true,
      sonarqube: false,
      jenkins: false,
      argocd: false,
      kubernetes: false,
      "github-actions": false,
    });
    expect(Object.fromEntries(beta.plugins.map((plugin) => [plugin.id, plugin.enabled]))).toEqual({
      deployment: true,
      jira: false,
      sonarqube: false,
      jenkins: false,
      argocd: false,
      kubernetes: false,
      "github-actions": false,
    });
    expect(beta.plugins.find((plugin) => plugin.id === "deployment")?.config).toEqual({ github_api_url: "https://api.github.com" });
    expect(beta.plugins.find((plugin) => plugin.id === "jira")?.config).toEqual({});

    const audit = await client.listPluginAuditLog({ workspaceId: "ws-alpha" }, alice);
    expect(audit.entries.map((entry) => [entry.actor, entry.action, entry.changedSecretKeys])).toEqual([
      ["alice", "enable", []],
      ["alice", "disable", []],
      ["alice", "update_config", ["api_token"]],
      ["alice", "enable", []],
    ]);
    expect(JSON.stringify(audit, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain(
      "alpha-secret-token",
    );
    const betaAudit = await client.listPluginAuditLog({ workspaceId: "ws-beta" }, bob);
    expect(betaAudit.entries.map((entry) => [entry.actor, entry.pluginId])).toEqual([["bob", "deployment"]]);
  });

  it("is idempotent: the same write again changes nothing and records nothing", async () => {
    const client = pluginsClient("grpc", gw.url);
    const admin = await adminOf("ws-idem", "carol");
    const request = { workspaceId: "ws-idem", pluginId: "deployment", config: { github_api_url: "https://ghe.example/api/v3" } };
    const first = await client.enablePlugin(request, admin);
    const second = await client.enablePlugin(request, admin);
    expect(second.plugin?.configVersion).toBe(first.plugin?.configVersion);
    expect((await client.listPluginAuditLog({ workspaceId: "ws-idem" }, admin)).entries).toHaveLength(1);
  });

  it("removes a key or a secret given as an empty string, and refuses a stale expected_version", async () => {
    const client = pluginsClient("connect-binary", gw.url);
    const admin = await adminOf("ws-merge", "dave");
    await client.updatePluginConfig(
      { workspaceId: "ws-merge", pluginId: "deployment", config: { github_app_id: "42" }, secrets: { github_token: "t0k3n" } },
      admin,
    );
    const { plugin } = await client.updatePluginConfig(
      { workspaceId: "ws-merge", pluginId: "deployment", config: { github_app_id: "" }, secrets: { github_token: "" } },
      admin,
    );
    expect(plugin?.config).toEqual({ github_api_url: "https://api.github.com" });
    expect(plugin?.secretKeysSet).toEqual([]);
    const stale = client.updatePluginConfig(
      {
        workspaceId: "ws-merge",
        pluginId: "deployment",
        config: { github_app_id: "7" },
        expectedVersion: (plugin?.configVersion ?? 0) - 1,
      },
      admin,
    );
    expect(await codeOf(stale)).toBe(Code.Aborted);
  });

  it("names every offending field of an invalid configuration", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const admin = await adminOf("ws-bad", "erin");
    const error = ConnectError.from(
      await client
        .enablePlugin({ workspaceId: "ws-bad", pluginId: "jira", config: { base_url: "not a url", colour: "blue" } }, admin)
        .catch((e: unknown) => e),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    const [badRequest] = error.findDetails(BadRequestSchema);
    expect(badRequest?.fieldViolations.map((violation) => violation.field).sort()).toEqual([
      "config.base_url",
      "config.colour",
      "config.email",
    ]);
    expect((await client.getPlugin({ workspaceId: "ws-bad", pluginId: "jira" }, admin)).plugin?.enabled).toBe(false);
  });

  it("refuses URL settings outside the egress allow-list with INVALID_ARGUMENT naming the setting and the rule", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const admin = await adminOf("ws-egress", "frank");
    const refusal = async (call: Promise<unknown>) => {
      const error = ConnectError.from(
        await call.then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(error.code, error.message).toBe(Code.InvalidArgument);
      return { message: error.rawMessage, fields: error.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [] };
    };
    for (const [url, rule] of [
      ["http://127.0.0.1:6379", "address-range"],
      ["http://127.0.0.1:5432", "address-range"],
      ["http://[::1]:7007", "address-range"],
      ["http://169.254.169.254/latest/meta-data", "address-range"],
      ["http://10.0.0.1", "address-range"],
      ["http://172.16.0.1", "address-range"],
      ["http://192.168.1.1", "address-range"],
      ["https://evil.example", "host-not-allowed"],
      ["https://ghe.example:8443/api/v3", "host-not-allowed"],
      ["gopher://api.github.com", "scheme"],
    ] as const) {
      const enable = await refusal(
        client.enablePlugin({ workspaceId: "ws-egress", pluginId: "deployment", config: { github_api_url: url } }, admin),
      );
      expect(enable.message).toContain(`config.github_api_url is refused by the egress policy (rule ${rule})`);
      expect(enable.fields.map((field) => field.field)).toEqual(["config.github_api_url"]);
      const update = await refusal(
        client.updatePluginConfig({ workspaceId: "ws-egress", pluginId: "jira", config: { base_url: url, email: "f@example.com" } }, admin),
      );
      expect(update.message).toContain(`config.base_url is refused by the egress policy (rule ${rule})`);
    }
    expect((await client.getPlugin({ workspaceId: "ws-egress", pluginId: "deployment" }, admin)).plugin?.enabled).toBe(false);
    // Allowed: the defaults, the operator's additions, an explicitly allowed simulator address.
    for (const url of ["https://api.github.com", "https://ghe.example/api/v3", "http://127.0.0.1:4010"]) {
      const { plugin } = await client.enablePlugin(
        { workspaceId: "ws-egress", pluginId: "deployment", config: { github_api_url: url } },
        admin,
      );
      expect(plugin?.config.github_api_url).toBe(url);
    }
    const jira = await client.updatePluginConfig(
      { workspaceId: "ws-egress", pluginId: "jira", config: { base_url: "https://acme.atlassian.net" } },
      admin,
    );
    expect(jira.plugin?.config.base_url).toBe("https://acme.atlassian.net");
  });

  it("refuses data calls for a disabled plugin with FAILED_PRECONDITION", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const user = bearer(await gw.token({ workspaceId: "ws-data" }));
    expect(await codeOf(client.proxyPluginRequest({ workspaceId: "ws-data", pluginId: "jira", endpointPath: "/issues" }, user))).toBe(
      Code.FailedPrecondition,
    );
    expect(await codeOf(client.listJiraIssues({ workspaceId: "ws-data", projectKey: "OPS" }, user))).toBe(Code.FailedPrecondition);
  });

  it("never lets workspace B see or change workspace A, whatever the body says", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const intruder = bearer(await gw.token({ workspaceId: "ws-beta", userId: "mallory", admin: true }));
    expect(await codeOf(client.getPlugin({ workspaceId: "ws-alpha", pluginId: "jira" }, intruder))).toBe(Code.PermissionDenied);
    expect(await codeOf(client.disablePlugin({ workspaceId: "ws-alpha", pluginId: "jira" }, intruder))).toBe(Code.PermissionDenied);
    expect(await codeOf(client.listPluginAuditLog({ workspaceId: "ws-alpha" }, intruder))).toBe(Code.PermissionDenied);
  });

  it("keeps the audit log for admins", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const member = bearer(await gw.token({ workspaceId: "ws-alpha" }));
    expect(await codeOf(client.listPluginAuditLog({ workspaceId: "ws-alpha" }, member))).toBe(Code.PermissionDenied);
  });
});

describe("secrets at rest on the real PostgreSQL", () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
  });
  afterAll(async () => scratch.drop());

  it("keeps secrets out of pg_dump, rotates to a new key, and still serves after the old key is removed", async () => {
    const k1 = `k1:${key()}`;
    const k2 = `k2:${key()}`;
    const first = await startGateway({ DATABASE_URL: scratch.url, ORBIT_SECRETS_KEYS: k1 });
    const admin = bearer(await first.token({ workspaceId: "ws-vault", admin: true }));
    const plaintext = `ghp_${randomBytes(12).toString("hex")}`;
    await pluginsClient("grpc", first.url).updatePluginConfig(
      { workspaceId: "ws-vault", pluginId: "deployment", secrets: { github_token: plaintext } },
      admin,
    );
    await first.close();

    const { stdout: dump } = await run("pg_dump", ["--no-owner", scratch.url], { maxBuffer: 64 * 1024 * 1024 });
    expect(dump).toContain("workspace_plugins");
    expect(dump).not.toContain(plaintext);
    expect(dump).not.toContain(Buffer.from(plaintext).toString("base64"));

    const rotation = await run("npx", ["tsx", "scripts/rotate-secrets.ts"], {
      env: { ...process.env, DATABASE_URL: scratch.url, ORBIT_SECRETS_KEYS: `${k1},${k2}` },
    });
    expect(rotation.stdout).toMatch(/re-encrypted\D*1/i);
    const rows = await query<{ value: string }>(scratch.url, "SELECT s.value FROM workspace_plugins, jsonb_each_text(secrets) s");
    expect(rows.map((row) => row.value.split(".")[1])).toEqual(["k2"]);

    const second = await startGateway({ DATABASE_URL: scratch.url, ORBIT_SECRETS_KEYS: k2, ORBIT_SVC_AUTH_SECRET: first.secret });
    try {
      const { plugin } = await pluginsClient("connect-json", second.url).getPlugin(
        { workspaceId: "ws-vault", pluginId: "deployment" },
        admin,
      );
      expect(plugin?.secretKeysSet).toEqual(["github_token"]);
    } finally {
      await second.close();
    }
    await expect(startGateway({ DATABASE_URL: scratch.url, ORBIT_SECRETS_KEYS: k1 })).rejects.toThrow(/"k2"/);
    await expect(startGateway({ DATABASE_URL: scratch.url })).rejects.toThrow(/ORBIT_SECRETS_KEYS is not set/);
  });
});

describe("management calls read the database (real PostgreSQL, plugin state cached for data calls)", () => {
  let scratch: ScratchDatabase;
  let gw: RunningGateway;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
    gw = await startGateway({ DATABASE_URL: scratch.url, PLUGIN_STATE_CACHE_TTL: "1h" });
  });
  afterAll(async () => {
    await gw?.close();
    await scratch?.drop();
  });

  it("GetPlugin and the read behind a write see a change that no notification announced", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const admin = bearer(await gw.token({ workspaceId: "ws-by-hand", admin: true }));
    await client.enablePlugin(
      { workspaceId: "ws-by-hand", pluginId: "jira", config: { base_url: "https://one.atlassian.net", email: "a@one.example" } },
      admin,
    );
    expect((await client.getPlugin({ workspaceId: "ws-by-hand", pluginId: "jira" }, admin)).plugin?.configVersion).toBe(1);
    // What another replica's commit looks like before its notification arrives here.
    await query(
      scratch.url,
      `UPDATE workspace_plugins SET config = config || '{"email": "b@one.example"}', version = version + 1
        WHERE workspace_id = 'ws-by-hand' AND plugin_id = 'jira'`,
    );

    const read = await client.getPlugin({ workspaceId: "ws-by-hand", pluginId: "jira" }, admin);
    expect(read.plugin).toMatchObject({ configVersion: 2, config: { email: "b@one.example" } });
    // A partial update merges onto what is stored, not onto what this process last saw.
    const updated = await client.updatePluginConfig(
      { workspaceId: "ws-by-hand", pluginId: "jira", config: { base_url: "https://two.atlassian.net" } },
      admin,
    );
    expect(updated.plugin?.config).toEqual({ base_url: "https://two.atlassian.net", email: "b@one.example" });
  });
});

describe("two gateway processes starting at once against one empty PostgreSQL", () => {
  let scratch: ScratchDatabase;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    scratch = await createScratchPostgres();
  });
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await scratch.drop();
  });

  it("both come up and the migrations ran once", async () => {
    const secret = randomBytes(32).toString("base64");
    const started = await Promise.all(
      [await freePort(), await freePort()].map(async (port) => {
        // node itself (not npx), so that killing the child stops the gateway too.
        const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
          env: { ...process.env, PORT: String(port), DATABASE_URL: scratch.url, ORBIT_SVC_AUTH_SECRET: secret, NODE_ENV: "production" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        children.push(child);
        await gatewayListening(child);
        return port;
      }),
    );
    expect(started).toHaveLength(2);
    const migrations = await query<{ version: string; runs: number }>(
      scratch.url,
      "SELECT version, count(*)::int AS runs FROM schema_migrations GROUP BY version",
    );
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((row) => row.runs === 1)).toBe(true);
  });
});

async function query<R>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}
