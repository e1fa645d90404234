import http2 from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { Pool } from "undici";
import { ProxyPluginResponseSchema } from "../../../src/gen/idp/plugins/v1/plugins_pb.js";
import type { TargetSpec } from "./job.js";

/**
 * Sends one request of a target and checks its answer; rejects with a short reason
 * when the answer is wrong. Request bytes are prepared once, so the generator's own
 * cost per request is a socket write and a parse, the same order for every target.
 */
export interface Sender {
  /** Sends one request; aborting the signal cancels it (RST_STREAM on HTTP/2, a closed connection on HTTP/1.1). */
  send(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export class BadAnswer extends Error {}

export function createSender(target: TargetSpec, connections: number): Sender {
  switch (target.kind) {
    case "http1-get":
      return http1Get(target, connections);
    case "connect-json":
      return connectJson(target, connections);
    case "grpc-h2c":
      return grpcH2c(target);
  }
}

function http1Get(target: Extract<TargetSpec, { kind: "http1-get" }>, connections: number): Sender {
  const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  return {
    async send(signal) {
      const response = await pool.request({ method: "GET", path: target.path, headers: target.headers, signal });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new BadAnswer(`http_${response.statusCode}`);
      if (!text.includes(target.expect)) throw new BadAnswer("unexpected body");
    },
    close: () => pool.close(),
  };
}

function connectJson(target: Extract<TargetSpec, { kind: "connect-json" }>, connections: number): Sender {
  const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { ...target.headers, "content-type": "application/json", "connect-protocol-version": "1" };
  const next = rotation(target.bodies);
  return {
    async send(signal) {
      const response = await pool.request({ method: "POST", path: target.path, headers, body: next(), signal });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new BadAnswer(`http_${response.statusCode}${connectCode(text)}`);
      const answer = JSON.parse(text) as { data?: string; fromCache?: boolean; statusCode?: number };
      if ((answer.fromCache ?? false) !== target.expectFromCache) throw new BadAnswer(`fromCache=${answer.fromCache ?? false}`);
      if (
        !Buffer.from(answer.data ?? "", "base64")
          .toString("utf8")
          .includes(target.expect)
      )
        throw new BadAnswer("unexpected body");
    },
    close: () => pool.close(),
  };
}

function connectCode(text: string): string {
  try {
    return `_${(JSON.parse(text) as { code?: string }).code ?? ""}`;
  } catch {
    return "";
  }
}

function grpcH2c(target: Extract<TargetSpec, { kind: "grpc-h2c" }>): Sender {
  const session = http2.connect(target.origin);
  session.on("error", () => undefined); // surfaces on the streams below
  const next = rotation(target.messagesBase64.map(grpcFrame));
  const headers = {
    ...target.headers,
    ":method": "POST",
    ":path": target.path,
    "content-type": "application/grpc+proto",
    te: "trailers",
  };
  const expect = Buffer.from(target.expect);
  return {
    send(signal) {
      return new Promise<void>((resolve, reject) => {
        const stream = session.request(headers, { signal });
        const chunks: Buffer[] = [];
        let grpcStatus: string | undefined;
        let httpStatus: number | undefined;
        stream.on("response", (responseHeaders) => {
          httpStatus = Number(responseHeaders[":status"]);
          // A trailers-only answer (errors) carries grpc-status in the headers.
          if (responseHeaders["grpc-status"] !== undefined) grpcStatus = String(responseHeaders["grpc-status"]);
        });
        stream.on("trailers", (trailers) => {
          grpcStatus = String(trailers["grpc-status"]);
        });
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", reject);
        stream.on("end", () => {
          if (httpStatus !== 200) return reject(new BadAnswer(`http_${httpStatus}`));
          if (grpcStatus !== "0") return reject(new BadAnswer(`grpc_${grpcStatus}`));
          const body = Buffer.concat(chunks);
          const length = body.readUInt32BE(1);
          const answer = fromBinary(ProxyPluginResponseSchema, body.subarray(5, 5 + length));
          if (answer.fromCache !== target.expectFromCache) return reject(new BadAnswer(`fromCache=${answer.fromCache}`));
          if (!Buffer.from(answer.data).includes(expect)) return reject(new BadAnswer("unexpected body"));
          resolve();
        });
        stream.end(next());
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        session.close(() => resolve());
      }),
  };
}

/** A gRPC length-prefixed message: flag byte 0 (uncompressed), 4-byte big-endian length, the message. */
function grpcFrame(messageBase64: string): Buffer {
  const message = Buffer.from(messageBase64, "base64");
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  message.copy(frame, 5);
  return frame;
}

/** Hands out the items in turn, forever. */
function rotation<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error("a target needs at least one request body");
  let index = 0;
  return () => items[index++ % items.length] as T;
}
