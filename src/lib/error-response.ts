import type { ConnectError } from "@connectrpc/connect";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import { codeToHttpStatus, endStreamToJson, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { FastifyReply, FastifyRequest } from "fastify";
import { protocolOf } from "./protocol.js";

/** Connect streaming end-of-stream envelope flag. */
const END_STREAM_FLAG = 0b00000010;

/**
 * Writes an error the way each protocol's clients expect it, for requests that never
 * reach a Connect handler (unknown procedures, unparseable requests). A bare HTTP
 * status would be read by gRPC clients as a transport failure.
 */
export function sendConnectError(request: FastifyRequest, reply: FastifyReply, error: ConnectError): FastifyReply {
  const contentType = (request.headers["content-type"] ?? "").toLowerCase();
  switch (protocolOf(contentType)) {
    case "grpc":
    case "grpc-web": {
      // Trailers-only response: the status travels in the headers of an empty reply.
      const headers = setTrailerStatus(new Headers(), error);
      reply.code(200).header("content-type", contentType.split(";")[0] || "application/grpc");
      headers.forEach((value, key) => reply.header(key, value));
      return reply.send();
    }
    case "connect":
      if (contentType.startsWith("application/connect+")) {
        const json = JSON.stringify(endStreamToJson(new Headers(), error, undefined));
        reply.code(200).header("content-type", contentType.split(";")[0]);
        return reply.send(Buffer.from(encodeEnvelope(END_STREAM_FLAG, new TextEncoder().encode(json))));
      }
      reply.code(codeToHttpStatus(error.code)).header("content-type", "application/json");
      return reply.send(Buffer.from(errorToJsonBytes(error, undefined)));
  }
}
