/**
 * `npm run demo`: the whole deployment flow on one machine, nothing to configure.
 * Starts the GitHub simulator (demo seed, runs advance on their own), the Backstage
 * sidecar and the gateway; configures workspace "dev-workspace" (the one the
 * gateway's own start-up banner names, so its token works too) — the deployment plugin
 * pointed at the simulator, services `checkout` and `payments` each with staging →
 * production (production gated by the required reviewer `release-manager`) — and
 * prints a token and ready-to-paste `buf curl` commands for the flow. It also builds the
 * web UI (web/) and serves it from an origin of its own (DEMO_WEB_PORT), which the
 * gateway's CORS_ORIGINS allows, and prints links that open it as the developer and as
 * the reviewer. The SonarQube and Jenkins simulators run too, and the stock SonarQube and
 * Jenkins plugins are enabled for the workspace with their settings (prewarmed, so the
 * printed calls answer at once), with `buf curl` calls for them.
 */
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { mintServiceToken } from "../src/auth/dev-token.js";
import { DeploymentService } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import { PluginsService } from "../src/gen/idp/plugins/v1/plugins_pb.js";
import { createStack, ensureSidecarInstalled, rootDir, sidecarDir, startSidecar, waitUntilReady } from "./stack/processes.js";
import { serveStaticSite } from "./stack/static-files.js";
import { buildWebUi } from "./stack/web-ui.js";

const WORKSPACE = "dev-workspace";
const SERVICES = ["checkout", "payments"] as const;
/** Demo users' GitHub tokens as the simulator's demo seed defines them. */
const GITHUB_TOKENS = { workspace: "ghp_demo_orbit_bot", developer: "ghp_demo_dev", reviewer: "ghp_demo_release_manager" };
const TOKEN_TTL_SECONDS = 12 * 3600;

ensureSidecarInstalled();
buildWebUi();

const githubPort = process.env.DEMO_GITHUB_PORT ?? "7070";
const sidecarPort = process.env.SIDECAR_PORT ?? "7007";
const gatewayPort = process.env.PORT ?? "50053";
const sidecarUrl = `http://127.0.0.1:${sidecarPort}`;
const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
const webPort = Number(process.env.DEMO_WEB_PORT ?? "5173");
const serviceToken = randomBytes(32).toString("base64url");
const authSecret = randomBytes(32).toString("base64url");
const secretsKeys = `demo:${randomBytes(32).toString("base64")}`;
const stack = createStack();

const simulator = stack.run(
  "github-simulator",
  ["src/main.ts", "--port", githubPort, "--seed", "demo", "--auto-advance", process.env.DEMO_RUN_STEP_MS ?? "3000"],
  `${sidecarDir}packages/github-simulator/`,
  process.env,
  ["ignore", "pipe", "inherit"],
);
const githubApiUrl = await firstJsonLine<{ apiUrl: string }>(simulator.stdout).then((line) => line.apiUrl);
// The stock plugins' upstreams (free ports; the seed "acme": projects and jobs checkout, payments).
const simulatorOf = <T>(name: string) =>
  firstJsonLine<T>(
    stack.run(name, ["src/main.ts", "--seed", "acme"], `${sidecarDir}packages/${name}/`, process.env, ["ignore", "pipe", "inherit"]).stdout,
  );
const [sonarqube, jenkins] = await Promise.all([
  simulatorOf<{ url: string; token: string }>("sonarqube-simulator"),
  simulatorOf<{ url: string; user: string; apiToken: string }>("jenkins-simulator"),
]);

// The simulators are loopback addresses: allowed explicitly (by address and port) in both processes.
const egress = {
  ORBIT_EGRESS_ALLOWED_HOSTS: [
    process.env.ORBIT_EGRESS_ALLOWED_HOSTS,
    ...[githubApiUrl, sonarqube.url, jenkins.url].map((url) => new URL(url).host),
  ]
    .filter(Boolean)
    .join(","),
};
if (!(await startSidecar(stack, { port: sidecarPort, serviceToken, env: egress }))) process.exit(1);
const web = await serveStaticSite({ port: webPort, gatewayUrl });

stack.run("gateway", ["src/main.ts"], rootDir, {
  ...process.env,
  PORT: gatewayPort,
  BACKSTAGE_URL: sidecarUrl,
  BACKSTAGE_SERVICE_TOKEN: serviceToken,
  ORBIT_SVC_AUTH_SECRET: authSecret,
  ORBIT_SECRETS_KEYS: secretsKeys,
  ORBIT_DATA_DIR: "memory://",
  ...egress,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  PIPELINE_WATCH_INTERVAL: process.env.PIPELINE_WATCH_INTERVAL ?? "2s",
  CORS_ORIGINS: process.env.CORS_ORIGINS ?? web.origin,
});
if (!(await waitUntilReady(stack, "the gateway", `${gatewayUrl}/readyz`))) process.exit(1);

const token = await mintServiceToken(authSecret, {
  userId: "demo-admin",
  workspaceId: WORKSPACE,
  admin: true,
  ttlSeconds: TOKEN_TTL_SECONDS,
});
await configureWorkspace(token);
printGuide(token);

async function configureWorkspace(adminToken: string): Promise<void> {
  const transport = createConnectTransport({
    baseUrl: gatewayUrl,
    httpVersion: "1.1",
    interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${adminToken}`), next(req))],
  });
  const plugins = createClient(PluginsService, transport);
  const deployments = createClient(DeploymentService, transport);
  await plugins.enablePlugin({ workspaceId: WORKSPACE, pluginId: "deployment", config: { github_api_url: githubApiUrl } });
  await plugins.updatePluginConfig({ workspaceId: WORKSPACE, pluginId: "deployment", secrets: { github_token: GITHUB_TOKENS.workspace } });
  // Stock community plugins: each Enable/Update has the sidecar start the workspace's own Backstage process.
  await plugins.enablePlugin({ workspaceId: WORKSPACE, pluginId: "sonarqube", config: { base_url: sonarqube.url } });
  await plugins.updatePluginConfig({ workspaceId: WORKSPACE, pluginId: "sonarqube", secrets: { api_key: sonarqube.token } });
  await plugins.enablePlugin({ workspaceId: WORKSPACE, pluginId: "jenkins", config: { base_url: jenkins.url, username: jenkins.user } });
  await plugins.updatePluginConfig({ workspaceId: WORKSPACE, pluginId: "jenkins", secrets: { api_key: jenkins.apiToken } });
  for (const service of SERVICES) {
    for (const [order, name] of ["staging", "production"].entries()) {
      await deployments.upsertEnvironment({
        workspaceId: WORKSPACE,
        environment: {
          service,
          name,
          order,
          repository: `acme/${service}`,
          workflow: "deploy.yml",
          job: "deploy",
          githubEnvironment: name,
          ref: "main",
        },
      });
    }
  }
}

function printGuide(adminToken: string): void {
  const call = (method: string, body: object, extraHeader = "") =>
    [
      `  npx buf curl --protocol connect --schema proto -H "Authorization: Bearer $ORBIT_TOKEN"${extraHeader} \\`,
      `    -d '${JSON.stringify(body)}' ${gatewayUrl}/idp.plugins.v1.DeploymentService/${method}`,
    ].join("\n");
  const pluginCall = (pluginId: string, endpointPath: string) =>
    [
      `  npx buf curl --protocol connect --schema proto -H "Authorization: Bearer $ORBIT_TOKEN" \\`,
      `    -d '${JSON.stringify({ workspace_id: WORKSPACE, plugin_id: pluginId, endpoint_path: endpointPath })}' ${gatewayUrl}/idp.plugins.v1.PluginsService/ProxyPluginRequest`,
    ].join("\n");
  const ws = { workspace_id: WORKSPACE };
  const lines = [
    "",
    `Orbit deployments demo: gateway ${gatewayUrl}, sidecar ${sidecarUrl}, GitHub simulator ${githubApiUrl}`,
    `Workspace "${WORKSPACE}" is set up: services ${SERVICES.join(", ")}, each staging → production (production needs release-manager's approval).`,
    "",
    `  export ORBIT_TOKEN='${adminToken}'`,
    "",
    "Web UI (the development token travels in the URL fragment, which never reaches a server):",
    `  as the developer: ${uiLink(adminToken, GITHUB_TOKENS.developer)}`,
    `  as the reviewer:  ${uiLink(adminToken, GITHUB_TOKENS.reviewer)}`,
    "",
    "1. Pick a version:",
    call("ListVersions", { ...ws, service: "checkout", query: "v1." }),
    "2. Deploy it to staging (as the developer, with their own GitHub token):",
    call(
      "TriggerDeployment",
      { ...ws, service: "checkout", environment: "staging", version: "v1.2.0" },
      ` -H "X-GitHub-Token: ${GITHUB_TOKENS.developer}"`,
    ),
    "3. Watch the pipeline move (runs advance every few seconds; Ctrl-C to stop watching):",
    call("WatchPipeline", { ...ws, service: "checkout" }),
    "4. Deploy to production; it stops at the approval gate:",
    call(
      "TriggerDeployment",
      { ...ws, service: "checkout", environment: "production", version: "v1.2.0" },
      ` -H "X-GitHub-Token: ${GITHUB_TOKENS.developer}"`,
    ),
    call("GetPipeline", { ...ws, service: "checkout" }, ` -H "X-GitHub-Token: ${GITHUB_TOKENS.reviewer}"`),
    "5. Approve it as the reviewer (take run_id from the pipeline's production active_run):",
    call(
      "ReviewDeployment",
      { ...ws, service: "checkout", environment: "production", run_id: "RUN_ID", decision: "REVIEW_DECISION_APPROVE", comment: "ship it" },
      ` -H "X-GitHub-Token: ${GITHUB_TOKENS.reviewer}"`,
    ),
    "6. History, and a rollback to the previous good version:",
    call("ListDeploymentHistory", { ...ws, service: "checkout" }),
    call("RollbackDeployment", { ...ws, service: "checkout", environment: "staging" }),
    "",
    `Stock Backstage plugins, enabled for "${WORKSPACE}" (SonarQube simulator ${sonarqube.url}, Jenkins simulator ${jenkins.url});`,
    "each runs in the workspace's own Backstage process; `data` in the answer is the plugin's JSON, base64-encoded:",
    "7. SonarQube: the quality gate and measures of project checkout:",
    pluginCall("sonarqube", "/entities/component/default/checkout/summary"),
    "8. Jenkins: job checkout and its latest build:",
    pluginCall("jenkins", "/v1/entity/default/component/checkout/projects"),
    "",
    "Ctrl-C stops everything.",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** The UI's demo host reads where and as whom to call from the fragment. */
function uiLink(orbitToken: string, githubToken: string): string {
  const fragment = new URLSearchParams({ gateway: gatewayUrl, workspace: WORKSPACE, token: orbitToken, github: githubToken });
  return `${web.origin}/#${fragment.toString()}`;
}

/** The simulator prints one JSON line with its URLs once it listens; the rest goes to our stdout. */
function firstJsonLine<T>(stream: NodeJS.ReadableStream | null): Promise<T> {
  if (!stream) throw new Error("the simulator's stdout is not piped");
  const lines = createInterface({ input: stream });
  return new Promise<T>((resolve, reject) => {
    let found = false;
    lines.on("line", (line) => {
      if (!found && line.startsWith("{")) {
        found = true;
        resolve(JSON.parse(line) as T);
      }
    });
    lines.once("close", () => {
      if (!found) reject(new Error("a simulator exited before it listened"));
    });
  });
}
