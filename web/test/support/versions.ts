import { asUser, deploymentsClient } from "../../../test/support/deployments.js";
import { GITHUB_TOKENS } from "../../../test/support/github-simulator.js";
import { VersionKind } from "../../../src/gen/idp/plugins/v1/deployments_pb.js";
import { WORKSPACE } from "./ui-stack.js";
import type { UiStack } from "./ui-stack.js";

/** checkout's versions as the gateway lists them, to pick a real commit in a test. */
export async function versionsOf(stack: UiStack): Promise<{ versions: { kind: "tag" | "commit"; name: string; sha: string }[] }> {
  const gateway = stack.gateway();
  const { versions } = await deploymentsClient("connect-json", gateway.url).listVersions(
    { workspaceId: WORKSPACE, service: "checkout" },
    asUser(await gateway.token({ workspaceId: WORKSPACE }), GITHUB_TOKENS.dev),
  );
  return {
    versions: versions.map((version) => ({
      kind: version.kind === VersionKind.TAG ? "tag" : "commit",
      name: version.name,
      sha: version.sha,
    })),
  };
}
