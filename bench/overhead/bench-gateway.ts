import type { RunningSidecar } from "../../test/support/sidecar.js";
import type { CommandLine } from "../lib/cpu.js";
import { startGatewayProcess } from "../lib/gateway-process.js";
import type { GatewayProcess } from "../lib/gateway-process.js";
import type { GatewayRuntime } from "../lib/gateway-runtime.js";
import { bearer, enableDeployment, pluginsClient } from "../lib/plugins-client.js";
import { ROUTE, USER, WORKSPACE } from "./targets.js";

const TOKEN_TTL_SECONDS = 4 * 3600;

export interface BenchGatewayRun {
  readonly sidecar: RunningSidecar;
  readonly cached: boolean;
  readonly runtime: GatewayRuntime;
  /** Wraps the command line, e.g. to run the gateway on given cores. */
  readonly wrap?: (argv: readonly string[]) => CommandLine;
  /** postgres:// URL of a database of its own; undefined runs on embedded PGlite in memory. */
  readonly databaseUrl: string | undefined;
  /** Further gateway settings (e.g. GATEWAY_WORKERS, REDIS_URL). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface BenchGateway {
  readonly process: GatewayProcess;
  /** A token of the benchmark's user in the benchmark's workspace. */
  readonly userToken: string;
}

/** A gateway process, its workspace set up and, when cached, its cache filled. */
export async function startBenchGateway(run: BenchGatewayRun): Promise<BenchGateway> {
  const { sidecar, cached, databaseUrl } = run;
  const gateway = await startGatewayProcess(
    {
      BACKSTAGE_URL: sidecar.url,
      BACKSTAGE_SERVICE_TOKEN: sidecar.token,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { ORBIT_DATA_DIR: "memory://" }),
      // Raised for the run: every call still passes the limiter, none is refused.
      RATE_LIMIT_MAX: "1000000000",
      PLUGIN_CACHE_TTL: cached ? "5m" : "0",
      ...run.env,
    },
    { runtime: run.runtime, ...(run.wrap ? { wrap: run.wrap } : {}) },
  );
  try {
    const admin = await gateway.token({ userId: "admin-bench", workspaceId: WORKSPACE, admin: true, ttlSeconds: TOKEN_TTL_SECONDS });
    const userToken = await gateway.token({ userId: USER, workspaceId: WORKSPACE, ttlSeconds: TOKEN_TTL_SECONDS });
    const client = pluginsClient(gateway.url);
    await enableDeployment(client, admin, WORKSPACE, { github_api_url: "https://api.github.com" });
    // Fill the cache once, so a cached run's every measured call is a hit.
    await client.proxyPluginRequest(
      { workspaceId: WORKSPACE, pluginId: ROUTE.plugin, endpointPath: ROUTE.endpoint },
      { headers: bearer(userToken) },
    );
    return { process: gateway, userToken };
  } catch (error) {
    console.error(`gateway output:\n${gateway.output()}`);
    await gateway.stop();
    throw error;
  }
}
