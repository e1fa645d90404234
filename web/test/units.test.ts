import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { duration, explainError } from "../src/api/errors.js";
import { formOfSchema, labelOf } from "../src/api/json-schema.js";
import { takeSession } from "../src/demo/session.js";
import { BadRequestSchema, RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";

describe("explainError", () => {
  it("reads the retry delay from google.rpc.RetryInfo and says when to retry", () => {
    const error = new ConnectError("rate limit exceeded for this workspace; retry in 42s", Code.ResourceExhausted, undefined, [
      { desc: RetryInfoSchema, value: { retryDelay: create(DurationSchema, { seconds: 42n }) } },
    ]);
    expect(explainError(error)).toMatchObject({ code: Code.ResourceExhausted, retryAfterSeconds: 42, advice: "Retry in 42 s." });
  });

  it("tells a non-admin to ask an admin", () => {
    const explained = explainError(new ConnectError("UpsertEnvironment … needs an admin token", Code.PermissionDenied));
    expect(explained.advice).toMatch(/Ask a workspace admin/);
    expect(explained.message).toBe("UpsertEnvironment … needs an admin token");
  });

  it("puts BadRequest field violations and field-naming messages on their fields", () => {
    const badRequest = new ConnectError("config invalid", Code.InvalidArgument, undefined, [
      { desc: BadRequestSchema, value: { fieldViolations: [{ field: "email", description: "is required" }] } },
    ]);
    expect(explainError(badRequest).fields).toEqual({ email: "is required" });

    const fields = ["name", "repository", "workflow", "ref", "githubEnvironment", "versionInput"];
    const plugin = new ConnectError(
      'plugin "deployment" answered HTTP 404: workflow: nope.yml was not found in acme/x on ref main',
      Code.NotFound,
    );
    expect(explainError(plugin, fields).fields).toEqual({ workflow: "workflow: nope.yml was not found in acme/x on ref main" });
    const gateway = new ConnectError("environment.github_environment must have at most 255 characters", Code.InvalidArgument);
    expect(Object.keys(explainError(gateway, fields).fields)).toEqual(["githubEnvironment"]);
    const input = new ConnectError(
      'plugin "deployment" answered HTTP 400: versionInput "v": workflow deploy.yml declares no such input',
      Code.InvalidArgument,
    );
    expect(Object.keys(explainError(input, fields).fields)).toEqual(["versionInput"]);
    // Not a validation error: nothing goes on a field.
    expect(explainError(new ConnectError("workflow: down", Code.Unavailable), fields).fields).toEqual({});
  });

  it("formats retry delays for people", () => {
    expect([duration(5), duration(60), duration(3586), duration(7300)]).toEqual(["5 s", "1 min", "59 min 46 s", "2 h 2 min"]);
  });
});

describe("formOfSchema", () => {
  it("turns a plugin's JSON schema into fields and write-only secrets", () => {
    const form = formOfSchema(
      JSON.stringify({
        type: "object",
        required: ["base_url"],
        properties: { base_url: { type: "string", format: "uri", description: "Jira site" }, retries: { type: "integer", default: 2 } },
        "x-orbit-secret-keys": ["api_token"],
      }),
    );
    expect(form.fields).toMatchObject([
      { name: "base_url", type: "string", required: true, format: "uri", description: "Jira site" },
      { name: "retries", type: "integer", required: false, defaultValue: "2" },
    ]);
    expect(form.secrets).toEqual(["api_token"]);
    expect(labelOf("github_api_url")).toBe("GitHub API URL");
  });
});

describe("the demo host's session", () => {
  it("takes the tokens from the fragment once, removes them from the address, and keeps them for the tab", () => {
    const stored = new Map<string, string>();
    const storage = {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
    } as Storage;
    let replaced = "";
    const history = { replaceState: (_state: unknown, _title: string, url: string) => void (replaced = url) } as History;
    const location = {
      hash: "#gateway=http%3A%2F%2F127.0.0.1%3A1&workspace=ws&token=t0k&github=ghp",
      origin: "http://ui",
      pathname: "/",
      search: "",
    } as Location;
    expect(takeSession(location, history, storage)).toEqual({
      gatewayUrl: "http://127.0.0.1:1",
      workspaceId: "ws",
      token: "t0k",
      githubToken: "ghp",
    });
    expect(replaced).toBe("/#/deployments");
    expect(takeSession({ ...location, hash: "#/plugins" } as Location, history, storage)?.token).toBe("t0k");
  });
});
