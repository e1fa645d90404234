import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CatalogueEntry } from "../../catalogue/catalogue.js";
import { JiraIssueSchema } from "../../gen/idp/plugins/v1/plugins_pb.js";
import type { ListJiraIssuesRequest, ListJiraIssuesResponseSchema } from "../../gen/idp/plugins/v1/plugins_pb.js";
import { errors } from "../../lib/errors.js";
import type { Invocation, PluginForwarder } from "../../sidecar/plugin-forwarder.js";
import { optionalText } from "../field-checks.js";
import { getRouteJson, text } from "../plugin-json.js";
import { queryOf } from "../plugin-route.js";
import { jiraRoutes, MAX_STATUS_LENGTH, PROJECT_KEY_PATTERN, PROJECT_KEY_RULE } from "./contract.js";
import type { JiraResponses } from "./contract.js";

/**
 * ListJiraIssues (PluginsService): the jira plugin's `listIssues` route (Jira's REST
 * search with the workspace's Jira site and API token). The caller passes an
 * invocation without the user's GitHub token: Jira has no use for it, and answers are
 * cached per workspace.
 */
export async function listJiraIssues(
  forwarder: PluginForwarder,
  entry: CatalogueEntry,
  request: ListJiraIssuesRequest,
  invocation: Invocation,
): Promise<MessageInitShape<typeof ListJiraIssuesResponseSchema>> {
  if (request.projectKey === "") throw errors.missingField("project_key");
  if (!PROJECT_KEY_PATTERN.test(request.projectKey)) throw errors.invalidField("project_key", PROJECT_KEY_RULE);
  const status = optionalText("status", request.status, MAX_STATUS_LENGTH);
  const { issues } = await getRouteJson<JiraResponses["listIssues"]>(
    forwarder,
    entry,
    jiraRoutes.listIssues,
    queryOf({ projectKey: request.projectKey, status }),
    invocation,
  );
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
