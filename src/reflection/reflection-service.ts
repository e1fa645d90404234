import { Code } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ServerReflection as ServerReflectionV1 } from "../gen/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflectionRequest, ServerReflectionResponseSchema } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "../gen/grpc/reflection/v1alpha/reflection_pb.js";
import type { ServerReflectionRequest as ServerReflectionRequestV1Alpha } from "../gen/grpc/reflection/v1alpha/reflection_pb.js";
import type { DescriptorIndex } from "./descriptor-index.js";

type ResponseInit = MessageInitShape<typeof ServerReflectionResponseSchema>;
type AnyRequest = ServerReflectionRequest | ServerReflectionRequestV1Alpha;

/**
 * gRPC server reflection (v1 and the v1alpha that older grpcurl builds use), so
 * `grpcurl list/describe` and `buf curl` work without a local schema. Both versions
 * have the same messages; one function answers for both.
 */
export function answerReflection(index: DescriptorIndex, request: AnyRequest): ResponseInit {
  const base = { validHost: request.host, originalRequest: request as ServerReflectionRequest };
  const notFound = (what: string): ResponseInit => ({
    ...base,
    messageResponse: { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } },
  });
  const files = (file: ReturnType<DescriptorIndex["fileByName"]>, what: string): ResponseInit =>
    file
      ? {
          ...base,
          messageResponse: {
            case: "fileDescriptorResponse",
            value: { fileDescriptorProto: index.serialisedWithImports(file) },
          },
        }
      : notFound(what);

  const message = request.messageRequest;
  switch (message.case) {
    case "listServices":
      return {
        ...base,
        messageResponse: {
          case: "listServicesResponse",
          value: { service: index.serviceNames.map((name) => ({ name })) },
        },
      };
    case "fileByFilename":
      return files(index.fileByName(message.value), `file "${message.value}"`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(message.value), `symbol "${message.value}"`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = message.value;
      return files(index.fileContainingExtension(containingType, extensionNumber), `extension ${extensionNumber} of "${containingType}"`);
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbersOf(message.value);
      if (!numbers) return notFound(`type "${message.value}"`);
      return {
        ...base,
        messageResponse: {
          case: "allExtensionNumbersResponse",
          value: { baseTypeName: message.value, extensionNumber: numbers },
        },
      };
    }
    default:
      return {
        ...base,
        messageResponse: {
          case: "errorResponse",
          value: { errorCode: Code.InvalidArgument, errorMessage: "empty or unknown reflection request" },
        },
      };
  }
}

export function createReflectionV1(index: DescriptorIndex): ServiceImpl<typeof ServerReflectionV1> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield answerReflection(index, request);
    },
  };
}

export function createReflectionV1Alpha(index: DescriptorIndex): ServiceImpl<typeof ServerReflectionV1Alpha> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) {
        // Identical shapes; only the message type names differ.
        yield answerReflection(index, request) as MessageInitShape<
          (typeof ServerReflectionV1Alpha)["method"]["serverReflectionInfo"]["output"]
        >;
      }
    },
  };
}

export { ServerReflectionV1, ServerReflectionV1Alpha };
