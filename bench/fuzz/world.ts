import type { GatewayProcess } from "../lib/gateway-process.js";
import { enableDeployment } from "../lib/plugins-client.js";
import type { PluginsClient } from "../lib/plugins-client.js";
import type { Random } from "./random.js";

export interface FuzzUser {
  readonly id: string;
  readonly token: string;
}

/**
 * A workspace with values no other workspace has: its id, its deployment plugin's
 * configuration and its secret. Finding any of them in another workspace's answer is
 * a leak; finding its secret in any answer at all is an exposure.
 */
export interface FuzzWorkspace {
  readonly id: string;
  readonly users: readonly FuzzUser[];
  readonly admin: FuzzUser;
  readonly config: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  /** Every distinctive non-secret value: id, configuration values, user ids. */
  readonly markers: readonly string[];
  readonly secretMarkers: readonly string[];
}

const TOKEN_TTL_SECONDS = 4 * 3600;

export async function createWorkspaces(
  gateway: GatewayProcess,
  client: PluginsClient,
  count: number,
  random: Random,
): Promise<FuzzWorkspace[]> {
  const workspaces: FuzzWorkspace[] = [];
  for (let n = 0; n < count; n++) {
    // Fixed-width random parts: no marker is a prefix or substring of another's.
    const tag = random.hex(10);
    const id = `fz-${tag}`;
    const userIds = [`usr-${random.hex(10)}`, `usr-${random.hex(10)}`];
    const adminId = `adm-${random.hex(10)}`;
    const config = {
      github_api_url: `https://ghe-${random.hex(10)}.example.com/api/v3`,
      // Long enough that no timestamp or counter in an answer can contain them by chance.
      github_app_id: random.digits(18),
      github_app_installation_id: random.digits(18),
    };
    const secrets = { github_token: `ghs_${random.hex(36)}` };
    const users = await Promise.all(
      userIds.map(async (userId) => ({
        id: userId,
        token: await gateway.token({ userId, workspaceId: id, ttlSeconds: TOKEN_TTL_SECONDS }),
      })),
    );
    const admin = {
      id: adminId,
      token: await gateway.token({ userId: adminId, workspaceId: id, admin: true, ttlSeconds: TOKEN_TTL_SECONDS }),
    };
    await enableDeployment(client, admin.token, id, config, secrets);
    workspaces.push({
      id,
      users,
      admin,
      config,
      secrets,
      markers: [id, ...Object.values(config), ...userIds, adminId],
      secretMarkers: Object.values(secrets),
    });
  }
  return workspaces;
}
