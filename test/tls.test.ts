import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PluginsService } from "../src/gen/idp/plugins/v1/plugins_pb.js";
import { bearer, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";

let dir: string;
let gw: RunningGateway;
let ca: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gateway-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  ca = readFileSync(join(dir, "cert.pem"));
  gw = await startGateway({ TLS_CERT_FILE: join(dir, "cert.pem"), TLS_KEY_FILE: join(dir, "key.pem") });
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("TLS with ALPN", () => {
  it("serves gRPC over h2 and Connect over HTTP/1.1 on the same TLS port", async () => {
    expect(gw.url.startsWith("https://")).toBe(true);
    const token = await gw.token({ workspaceId: "ws-a" });
    const grpc = createClient(PluginsService, createGrpcTransport({ baseUrl: gw.url, nodeOptions: { ca } }));
    const connect = createClient(PluginsService, createConnectTransport({ baseUrl: gw.url, httpVersion: "1.1", nodeOptions: { ca } }));
    expect((await grpc.listPlugins({ workspaceId: "ws-a" }, bearer(token))).plugins).toHaveLength(7);
    expect((await connect.listPlugins({ workspaceId: "ws-a" }, bearer(token))).plugins).toHaveLength(7);
  });
});
