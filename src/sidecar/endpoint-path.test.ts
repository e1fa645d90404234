import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { confineEndpointPath } from "./endpoint-path.js";
import { TRAVERSAL_BATTERY } from "./endpoint-path.test-cases.js";

const BASE = "/api/deployment";

describe("confineEndpointPath", () => {
  it.each([
    ["/environments", "/api/deployment/environments"],
    ["/services/my-svc/pipeline", "/api/deployment/services/my-svc/pipeline"],
    ["/whoami", "/api/deployment/whoami"],
    ["/", "/api/deployment"],
    ["", "/api/deployment"],
    ["/versions/v1.2.3", "/api/deployment/versions/v1.2.3"],
    ["/repos/acme%20corp", "/api/deployment/repos/acme%20corp"],
    ["/items/", "/api/deployment/items/"],
    ["/repos/caf%C3%A9", "/api/deployment/repos/caf%C3%A9"],
    ["/issues/%E6%97%A5%E6%9C%AC", "/api/deployment/issues/%E6%97%A5%E6%9C%AC"],
    ["/versions/v1.2;build=3", "/api/deployment/versions/v1.2;build=3"],
    ["/files/.well-known", "/api/deployment/files/.well-known"],
  ])("keeps %j below the base path", (input, expected) => {
    expect(confineEndpointPath(BASE, input)).toBe(expected);
  });

  it.each(TRAVERSAL_BATTERY)("refuses %j with INVALID_ARGUMENT", (input) => {
    let caught: unknown;
    try {
      confineEndpointPath(BASE, input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConnectError);
    expect((caught as ConnectError).code).toBe(Code.InvalidArgument);
    expect((caught as ConnectError).rawMessage).toMatch(/^endpoint_path /);
  });
});
