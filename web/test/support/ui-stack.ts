import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { serveStaticSite } from "../../../scripts/stack/static-files.js";
import type { StaticSite } from "../../../scripts/stack/static-files.js";
import type { DeploymentEnvironmentSchema } from "../../../src/gen/idp/plugins/v1/deployments_pb.js";
import { createScratchPostgres } from "../../../src/store/test-support/test-databases.js";
import type { ScratchDatabase } from "../../../src/store/test-support/test-databases.js";
import { deploymentsClient, enableDeploymentPlugin } from "../../../test/support/deployments.js";
import { egressAllowing } from "../../../test/support/egress.js";
import { bearer, startGateway } from "../../../test/support/gateway.js";
import type { RunningGateway } from "../../../test/support/gateway.js";
import { GITHUB_TOKENS, startGitHubSimulator } from "../../../test/support/github-simulator.js";
import type { RunningGitHubSimulator } from "../../../test/support/github-simulator.js";
import { freePort } from "../../../test/support/redis-server.js";
import { startSidecar } from "../../../test/support/sidecar.js";
import type { RunningSidecar } from "../../../test/support/sidecar.js";

export { GITHUB_TOKENS };
export const WORKSPACE = "ws-web";
/** The deployment plugin enabled, nothing configured yet. */
export const EMPTY_WORKSPACE = "ws-web-empty";
const DIST_INDEX = fileURLToPath(new URL("../../dist/index.html", import.meta.url));

type EnvironmentInit = MessageInitShape<typeof DeploymentEnvironmentSchema>;

/**
 * The real stack behind the UI: GitHub simulator (runs move only when the test says),
 * Backstage sidecar, gateway on real PostgreSQL (so a restarted gateway finds the same
 * workspace), and web/dist served from an origin of its own that the gateway's CORS allows.
 */
export interface UiStack {
  readonly github: RunningGitHubSimulator;
  readonly site: StaticSite;
  gateway(): RunningGateway;
  /** A link that opens the demo host as this user (tokens in the fragment). */
  link(options: { admin?: boolean; userId?: string; githubToken?: string; workspaceId?: string }): Promise<string>;
  /** Stops the gateway and starts a new one on the same port and database. */
  stopGateway(): Promise<void>;
  startGateway(): Promise<void>;
  configure(environments: EnvironmentInit[]): Promise<void>;
  close(): Promise<void>;
}

export async function startUiStack(): Promise<UiStack> {
  if (!existsSync(DIST_INDEX)) throw new Error("web/dist is missing: run `npm run build` in web/ first (npm test does)");
  const secret = randomBytes(32).toString("base64");
  const secretsKeys = `k1:${randomBytes(32).toString("base64")}`;
  const [github, database, port]: [RunningGitHubSimulator, ScratchDatabase, number] = await Promise.all([
    startGitHubSimulator(),
    createScratchPostgres(),
    freePort(),
  ]);
  // The simulator is on loopback: both processes allow it explicitly (egress policy), nothing else.
  const egress = egressAllowing(github.apiUrl);
  const sidecar: RunningSidecar = await startSidecar(egress);
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const site = await serveStaticSite({ port: 0, gatewayUrl });
  const env = {
    PORT: String(port),
    ORBIT_SVC_AUTH_SECRET: secret,
    ORBIT_SECRETS_KEYS: secretsKeys,
    DATABASE_URL: database.url,
    BACKSTAGE_URL: sidecar.url,
    BACKSTAGE_SERVICE_TOKEN: sidecar.token,
    CORS_ORIGINS: site.origin,
    ...egress,
    RATE_LIMIT_MAX: "100000",
    SIDECAR_TIMEOUT: "15s",
    PIPELINE_CACHE_TTL: "200ms",
    // Quick enough for the UI to follow, slow enough to stay inside the simulator's secondary rate limit.
    PIPELINE_WATCH_INTERVAL: "500ms",
  };
  let gateway: RunningGateway | undefined = await startGateway(env);
  await enableDeploymentPlugin(gateway, WORKSPACE, github.apiUrl, GITHUB_TOKENS.orbitBot);
  await enableDeploymentPlugin(gateway, EMPTY_WORKSPACE, github.apiUrl, GITHUB_TOKENS.orbitBot);

  const running = () => {
    if (!gateway) throw new Error("the gateway is stopped");
    return gateway;
  };
  return {
    github,
    site,
    gateway: running,
    async link({ admin = true, userId = admin ? "admin-web" : "user-web", githubToken, workspaceId = WORKSPACE }) {
      const token = await running().token({ workspaceId, userId, admin });
      const fragment = new URLSearchParams({
        gateway: gatewayUrl,
        workspace: workspaceId,
        token,
        ...(githubToken ? { github: githubToken } : {}),
      });
      return `${site.origin}/#${fragment.toString()}`;
    },
    async stopGateway() {
      await gateway?.close();
      gateway = undefined;
    },
    async startGateway() {
      gateway = await startGateway(env);
    },
    async configure(environments) {
      const options = bearer(await running().token({ workspaceId: WORKSPACE, admin: true }));
      for (const environment of environments) {
        await deploymentsClient("connect-json", gatewayUrl).upsertEnvironment({ workspaceId: WORKSPACE, environment }, options);
      }
    },
    async close() {
      await gateway?.close();
      await Promise.all([site.close(), sidecar.stop(), github.stop()]);
      await database.drop();
    },
  };
}
