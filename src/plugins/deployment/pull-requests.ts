import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CatalogueEntry } from "../../catalogue/catalogue.js";
import { GitHubPullRequestSchema } from "../../gen/idp/plugins/v1/plugins_pb.js";
import type { ListGitHubPullRequestsRequest, ListGitHubPullRequestsResponseSchema } from "../../gen/idp/plugins/v1/plugins_pb.js";
import { errors } from "../../lib/errors.js";
import type { Invocation, PluginForwarder } from "../../sidecar/plugin-forwarder.js";
import { getRouteJson, text } from "../plugin-json.js";
import { queryOf } from "../plugin-route.js";
import { deploymentRoutes } from "./contract.js";
import type { DeploymentResponses } from "./contract.js";
import { requireRepository } from "./validation.js";

const PULL_REQUEST_STATES = ["open", "closed", "merged"];

/**
 * ListGitHubPullRequests (PluginsService): the deployment plugin's `pullRequests` route
 * (its GitHub client, the user's own GitHub token when Orbit sends one). Cached like
 * every GET.
 */
export async function listGitHubPullRequests(
  forwarder: PluginForwarder,
  entry: CatalogueEntry,
  request: ListGitHubPullRequestsRequest,
  invocation: Invocation,
): Promise<MessageInitShape<typeof ListGitHubPullRequestsResponseSchema>> {
  const repository = requireRepository("repository", request.repository);
  if (request.state !== "" && !PULL_REQUEST_STATES.includes(request.state)) {
    throw errors.invalidField("state", `must be one of ${PULL_REQUEST_STATES.join(", ")} (or empty for open)`);
  }
  const { pullRequests } = await getRouteJson<DeploymentResponses["pullRequests"]>(
    forwarder,
    entry,
    deploymentRoutes.pullRequests,
    queryOf({ repository, state: request.state }),
    invocation,
  );
  return {
    pullRequests: (pullRequests ?? []).map((pull) =>
      create(GitHubPullRequestSchema, {
        number: BigInt(Number.isSafeInteger(pull.number) ? pull.number : 0),
        title: text(pull.title),
        state: text(pull.state),
        author: text(pull.author),
        createdAt: text(pull.createdAt),
        url: text(pull.url),
      }),
    ),
  };
}
