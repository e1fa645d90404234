import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerReflection } from "../src/gen/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflectionRequest } from "../src/gen/grpc/reflection/v1/reflection_pb.js";
import { startGateway, transportFor } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";

const run = promisify(execFile);

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => gw.close());

async function reflect(messageRequest: ServerReflectionRequest["messageRequest"]) {
  async function* one() {
    yield { messageRequest };
  }
  for await (const answer of createClient(ServerReflection, transportFor("grpc", gw.url)).serverReflectionInfo(one())) {
    return answer.messageResponse;
  }
  throw new Error("no reflection answer");
}

describe("DeploymentService in server reflection", () => {
  it("is listed, and its file comes with google/protobuf/timestamp.proto", async () => {
    const list = await reflect({ case: "listServices", value: "" });
    expect(list.case === "listServicesResponse" && list.value.service.map((service) => service.name)).toContain(
      "idp.plugins.v1.DeploymentService",
    );

    const bySymbol = await reflect({ case: "fileContainingSymbol", value: "idp.plugins.v1.DeploymentService.WatchPipeline" });
    expect(bySymbol.case).toBe("fileDescriptorResponse");
    const files =
      bySymbol.case === "fileDescriptorResponse"
        ? bySymbol.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes))
        : [];
    expect(files.map((file) => file.name)).toEqual(["idp/plugins/v1/deployments.proto", "google/protobuf/timestamp.proto"]);
    const watch = files[0]?.service[0]?.method.find((method) => method.name === "WatchPipeline");
    expect(watch?.serverStreaming).toBe(true);

    const timestamp = await reflect({ case: "fileByFilename", value: "google/protobuf/timestamp.proto" });
    expect(timestamp.case).toBe("fileDescriptorResponse");
    const enumSymbol = await reflect({ case: "fileContainingSymbol", value: "idp.plugins.v1.DeploymentState" });
    expect(enumSymbol.case).toBe("fileDescriptorResponse");
  });

  it("lets buf curl list and call its methods without a local schema", async () => {
    const { stdout: methods } = await run("npx", [
      "buf",
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "--list-methods",
      gw.url,
    ]);
    for (const method of ["ListServices", "UpsertEnvironment", "GetPipeline", "WatchPipeline", "ReviewDeployment", "RollbackDeployment"]) {
      expect(methods).toContain(`idp.plugins.v1.DeploymentService/${method}`);
    }
    const token = await gw.token({ workspaceId: "ws-reflect" });
    // The schema comes from reflection; the call itself ends at the plugin check (not enabled here).
    const call = run("npx", [
      "buf",
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "-H",
      `Authorization: Bearer ${token}`,
      "-d",
      JSON.stringify({ workspace_id: "ws-reflect", service: "checkout" }),
      `${gw.url}/idp.plugins.v1.DeploymentService/GetPipeline`,
    ]);
    const failure = (await call.then(
      () => undefined,
      (error: unknown) => error,
    )) as { stderr?: string } | undefined;
    expect(failure?.stderr).toContain("failed_precondition");
  });
});
