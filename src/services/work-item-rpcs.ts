import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import type { CatalogueEntry } from "../catalogue/catalogue.js";
import { parsePluginJson } from "../deployments/mapping.js";
import type { PullRequestsResponse } from "../deployments/plugin-api.js";
import { deploymentRoutes, jiraRoutes, queryOf } from "../deployments/routes.js";
import { optionalText, requireRepository } from "../deployments/validation.js";
import { GitHubPullRequestSchema, JiraIssueSchema } from "../gen/idp/plugins/v1/plugins_pb.js";
import type {
  ListGitHubPullRequestsRequest,
  ListGitHubPullRequestsResponseSchema,
  ListJiraIssuesRequest,
  ListJiraIssuesResponseSchema,
} from "../gen/idp/plugins/v1/plugins_pb.js";
import { errors } from "../lib/errors.js";
import { invocationOf } from "../sidecar/plugin-forwarder.js";
import type { PluginForwarder } from "../sidecar/plugin-forwarder.js";

/** The jira plugin's answer to GET /issues. */
interface JiraIssuesResponse {
  issues: Array<{ key: string; summary: string; status: string; assignee: string | null; createdAt: string }>;
}

const PULL_REQUEST_STATES = ["open", "closed", "merged"];
const JIRA_PROJECT_KEY = /^[A-Za-z][A-Za-z0-9_]{1,254}$/;
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/**
 * ListGitHubPullRequests: the deployment plugin's `GET /pull-requests` (its GitHub
 * client, the user's own GitHub token when Orbit sends one). Cached like every GET.
 */
export async function listGitHubPullRequests(
  forwarder: PluginForwarder,
  entry: CatalogueEntry,
  request: ListGitHubPullRequestsRequest,
  context: HandlerContext,
): Promise<MessageInitShape<typeof ListGitHubPullRequestsResponseSchema>> {
  const repository = requireRepository("repository", request.repository);
  if (request.state !== "" && !PULL_REQUEST_STATES.includes(request.state)) {
    throw errors.invalidField("state", `must be one of ${PULL_REQUEST_STATES.join(", ")} (or empty for open)`);
  }
  const { response } = await forwarder.send(
    entry,
    {
      method: "GET",
      path: `${entry.apiBasePath}${deploymentRoutes.pullRequests()}`,
      query: queryOf({ repository, state: request.state }),
      headers: { accept: "application/json" },
    },
    invocationOf(context),
  );
  const { pullRequests } = parsePluginJson<PullRequestsResponse>(entry.id, response.body);
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

/**
 * ListJiraIssues: the jira plugin's `GET /issues?projectKey=&status=` (Jira's REST
 * search with the workspace's Jira site and API token). The user's GitHub token is
 * not sent: Jira has no use for it, and answers are cached per workspace.
 */
export async function listJiraIssues(
  forwarder: PluginForwarder,
  entry: CatalogueEntry,
  request: ListJiraIssuesRequest,
  context: HandlerContext,
): Promise<MessageInitShape<typeof ListJiraIssuesResponseSchema>> {
  if (request.projectKey === "") throw errors.missingField("project_key");
  if (!JIRA_PROJECT_KEY.test(request.projectKey)) throw errors.invalidField("project_key", "must be a Jira project key such as OPS");
  const status = optionalText("status", request.status, 100);
  const { response } = await forwarder.send(
    entry,
    {
      method: "GET",
      path: `${entry.apiBasePath}${jiraRoutes.issues()}`,
      query: queryOf({ projectKey: request.projectKey, status }),
      headers: { accept: "application/json" },
    },
    invocationOf(context, { asUser: false }),
  );
  const { issues } = parsePluginJson<JiraIssuesResponse>(entry.id, response.body);
  return {
    issues: (issues ?? []).map((issue) =>
      create(JiraIssueSchema, {
        key: text(issue.key),
        summary: text(issue.summary),
        status: text(issue.status),
        assignee: text(issue.assignee),
        createdAt: text(issue.createdAt),
      }),
    ),
  };
}
