/**
 * The GitHub API simulator (sidecar/packages/github-simulator) as a child
 * process on a free port with its demo seed, standing in for GitHub.
 */

import { spawnWithOutput, waitFor, type Sidecar } from './sidecarProcess';

/** The demo seed's shared workspace credential (DEMO_TOKENS.orbitBot, write access). */
export const SIMULATOR_WORKSPACE_TOKEN = 'ghp_demo_orbit_bot';

export interface SimulatorProcess {
  process: Sidecar;
  apiUrl: string;
}

export async function startGitHubSimulator(): Promise<SimulatorProcess> {
  const child = spawnWithOutput(
    process.execPath,
    ['--import', 'tsx', 'packages/github-simulator/src/main.ts', '--port', '0', '--seed', 'demo'],
    { ...process.env },
  );
  const firstLine = () => child.output().split('\n')[0] ?? '';
  await waitFor(
    'the GitHub simulator',
    async () => firstLine().startsWith('{') && child.output().includes('\n'),
    60_000,
    child.exited,
  );
  const { apiUrl } = JSON.parse(firstLine()) as { apiUrl: string };
  return { process: child, apiUrl };
}

/**
 * The `X-Orbit-Plugin-Config` header the gateway sends: base64url JSON of the
 * called plugin's workspace configuration (here the deployment plugin's).
 */
export function deploymentPluginConfigHeader(apiUrl: string): Record<string, string> {
  const settings = {
    config: { github_api_url: apiUrl },
    secrets: { github_token: SIMULATOR_WORKSPACE_TOKEN },
  };
  return { 'X-Orbit-Plugin-Config': Buffer.from(JSON.stringify(settings)).toString('base64url') };
}
