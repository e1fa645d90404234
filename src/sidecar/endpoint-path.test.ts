import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { confineEndpointPath } from "./endpoint-path.js";

const BASE = "/api/deployment";

export const TRAVERSAL_BATTERY = [
  "/../catalog",
  "/environments/../../app",
  "/..",
  "/.",
  "/./environments",
  "/%2e%2e/catalog",
  "/%2E%2E/catalog",
  "/%2e./catalog",
  "/.%2e/catalog",
  "/%252e%252e/catalog",
  "/%25252e%25252e/catalog",
  "/environments%2f..%2f..%2fapp",
  "/environments%2F..%2Fapp",
  "/environments%5c..%5capp",
  "/environments\\..\\app",
  "//evil.example/x",
  "///x",
  "http://evil.example/api",
  "https:/evil.example",
  "evil.example/api",
  "//",
  "/environments//x",
  "/environments\u0000",
  "/environments%00",
  "/environments\r\nHost: evil",
  "/environments%0d%0aHost:%20evil",
  "/environments\t",
  "/environments?admin=true",
  "/environments#frag",
  "/ environments",
  "/environments/%2e",
  "/\u2025/catalog",
  "/" + "a".repeat(3000),
];

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
