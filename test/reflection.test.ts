import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerReflection } from "../src/gen/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflectionRequest } from "../src/gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "../src/gen/grpc/reflection/v1alpha/reflection_pb.js";
import { startGateway, transportFor } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";

const run = promisify(execFile);

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => gw.close());

async function* requests(...messages: ServerReflectionRequest["messageRequest"][]) {
  for (const messageRequest of messages) yield { messageRequest };
}

describe("gRPC server reflection", () => {
  it("lists the services and resolves files by symbol and by name (v1)", async () => {
    const client = createClient(ServerReflection, transportFor("grpc", gw.url));
    const answers = [];
    for await (const answer of client.serverReflectionInfo(
      requests(
        { case: "listServices", value: "" },
        { case: "fileContainingSymbol", value: "idp.plugins.v1.PluginsService.ListPlugins" },
        { case: "fileByFilename", value: "google/rpc/error_details.proto" },
        { case: "fileContainingSymbol", value: "no.such.Symbol" },
      ),
    )) {
      answers.push(answer.messageResponse);
    }
    const [list, bySymbol, byName, missing] = answers;
    expect(list?.case === "listServicesResponse" && list.value.service.map((service) => service.name)).toEqual([
      "idp.plugins.v1.PluginsService",
      "idp.plugins.v1.DeploymentService",
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
    expect(bySymbol?.case).toBe("fileDescriptorResponse");
    if (bySymbol?.case === "fileDescriptorResponse") {
      const [first] = bySymbol.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
      expect(first?.name).toBe("idp/plugins/v1/plugins.proto");
      expect(first?.service[0]?.method.map((method) => method.name)).toContain("ProxyPluginRequest");
    }
    expect(byName?.case === "fileDescriptorResponse" && byName.value.fileDescriptorProto.length).toBeGreaterThanOrEqual(2);
    expect(missing?.case).toBe("errorResponse");
  });

  it("answers the v1alpha service that older grpcurl builds use", async () => {
    const client = createClient(ServerReflectionV1Alpha, transportFor("grpc", gw.url));
    async function* listServices() {
      yield { messageRequest: { case: "listServices" as const, value: "" } };
    }
    for await (const answer of client.serverReflectionInfo(listServices())) {
      expect(answer.messageResponse.case).toBe("listServicesResponse");
    }
  });

  it("lets buf curl call the service without a local schema", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const { stdout: methods } = await run("npx", [
      "buf",
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "--list-methods",
      gw.url,
    ]);
    expect(methods).toContain("idp.plugins.v1.PluginsService/GetPluginSchema");
    const { stdout } = await run("npx", [
      "buf",
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "-H",
      `Authorization: Bearer ${token}`,
      "-d",
      JSON.stringify({ workspace_id: "ws-a", plugin_id: "jira" }),
      `${gw.url}/idp.plugins.v1.PluginsService/GetPlugin`,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ plugin: { id: "jira", category: "project-management" } });
  });
});
