import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { DeploymentService } from "../../src/gen/idp/plugins/v1/deployments_pb.js";
import { PluginsService } from "../../src/gen/idp/plugins/v1/plugins_pb.js";

export type DeploymentsClient = Client<typeof DeploymentService>;

export const WORKSPACE = "economy-workspace";
export const SERVICE = "checkout";
export const REPOSITORY = "acme/checkout";

/**
 * The service's three environments. The demo seed's deploy.yml declares its
 * `environment` input as a choice of staging/production (and requires it), so a
 * third environment cannot pass "dev" there. `dev` therefore declares that the
 * workflow takes no environment input of its own (`environment_input: "-"`) and
 * passes `environment=staging` as an extra input on every trigger: its runs are
 * separate deployments of the same workflow, ungated, like a typical dev stage.
 * For GitHub-call economy what counts is three environments, each with its own
 * run to read, one of them behind an approval gate.
 */
export const ENVIRONMENTS = [
  { name: "dev", githubEnvironment: "", environmentInput: "-", triggerInputs: { environment: "staging" } },
  { name: "staging", githubEnvironment: "staging", environmentInput: "", triggerInputs: {} },
  { name: "production", githubEnvironment: "production", environmentInput: "", triggerInputs: {} },
] as const;

export type EnvironmentName = (typeof ENVIRONMENTS)[number]["name"];

export function deploymentsClient(gatewayUrl: string): DeploymentsClient {
  return createClient(DeploymentService, createConnectTransport({ baseUrl: gatewayUrl, httpVersion: "1.1" }));
}

/** Call options: the Orbit token, and the user's own GitHub token when the call should act as them. */
export function as(orbitToken: string, githubToken?: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${orbitToken}`, ...(githubToken ? { "x-github-token": githubToken } : {}) } };
}

/**
 * Sets the workspace up as `npm run demo` does, through the gateway: the deployment
 * plugin pointed at the simulator, the workspace credential (the demo's orbit-bot
 * token) as its secret, and the service's environments in pipeline order.
 */
export async function configureWorkspace(
  gatewayUrl: string,
  adminToken: string,
  githubApiUrl: string,
  workspaceGitHubToken: string,
  environments: ReadonlyArray<{
    readonly name: string;
    readonly githubEnvironment: string;
    readonly environmentInput: string;
  }> = ENVIRONMENTS,
): Promise<void> {
  const transport = createConnectTransport({ baseUrl: gatewayUrl, httpVersion: "1.1" });
  const plugins = createClient(PluginsService, transport);
  const deployments = createClient(DeploymentService, transport);
  const options = as(adminToken);
  await plugins.enablePlugin({ workspaceId: WORKSPACE, pluginId: "deployment", config: { github_api_url: githubApiUrl } }, options);
  await plugins.updatePluginConfig(
    { workspaceId: WORKSPACE, pluginId: "deployment", secrets: { github_token: workspaceGitHubToken } },
    options,
  );
  for (const [order, environment] of environments.entries()) {
    await deployments.upsertEnvironment(
      {
        workspaceId: WORKSPACE,
        environment: {
          service: SERVICE,
          name: environment.name,
          order,
          repository: REPOSITORY,
          workflow: "deploy.yml",
          job: "deploy",
          githubEnvironment: environment.githubEnvironment,
          environmentInput: environment.environmentInput,
          ref: "main",
        },
      },
      options,
    );
  }
}

/** Inputs a trigger of the environment passes besides the version. */
export function triggerInputsOf(environment: EnvironmentName): Record<string, string> {
  return { ...(ENVIRONMENTS.find((each) => each.name === environment)?.triggerInputs ?? {}) };
}
