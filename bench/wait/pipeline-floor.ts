/**
 * The floor of the warm GetPipeline comparison: the least a Node.js Connect server can make
 * a caller wait for this answer. @connectrpc/connect-node serves DeploymentService.GetPipeline
 * over HTTP/1.1 and answers every call with the same message, read once from a file (the
 * gateway's own answer, so both send the same bytes) — no token check, no rate limit, no cache
 * lookup, no plugin state, no metrics, no logs. A browser caller needs CORS: its preflight is
 * answered here by hand (Chromium caches it for Access-Control-Max-Age, as for the gateway).
 *
 * Run as its own process, compiled like the gateway (bench/overhead/floor-process.ts):
 * FLOOR_PIPELINE_FILE=answer.bin FLOOR_ALLOW_ORIGIN=http://127.0.0.1:8080 node pipeline-floor.js
 * Prints one JSON line {"url":"http://…"} once listening; stops on SIGINT/SIGTERM.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { fromBinary } from "@bufbuild/protobuf";
import { cors } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { DeploymentService, GetPipelineResponseSchema } from "../../src/gen/idp/plugins/v1/deployments_pb.js";
import { exitOnSignals, requiredEnv } from "../lib/bench-server.js";

const answer = fromBinary(GetPipelineResponseSchema, readFileSync(requiredEnv("FLOOR_PIPELINE_FILE")));
const allowOrigin = process.env.FLOOR_ALLOW_ORIGIN ?? "";

const handler = connectNodeAdapter({
  routes: (router) => router.rpc(DeploymentService.method.getPipeline, () => answer),
});
const server = http.createServer((request, response) => {
  if (allowOrigin) {
    response.setHeader("access-control-allow-origin", allowOrigin);
    if (request.method === "OPTIONS") {
      response.writeHead(204, {
        "access-control-allow-methods": cors.allowedMethods.join(","),
        "access-control-allow-headers": [...cors.allowedHeaders, "Authorization"].join(","),
        "access-control-max-age": "7200",
      });
      response.end();
      return;
    }
  }
  handler(request, response);
});
// As the gateway does: no Nagle delay on accepted connections.
server.on("connection", (socket: Socket) => socket.setNoDelay(true));
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});

exitOnSignals(server);
