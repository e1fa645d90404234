/**
 * The floor of the cost-per-call comparison: the least a Node.js Connect proxy can
 * spend on ProxyPluginRequest. @connectrpc/connect-node serves the one method over
 * HTTP/1.1 (Connect JSON) and h2c (gRPC), and each call becomes one GET of the
 * sidecar route through an undici pool, with the same identity headers the gateway
 * sets — no token check, no rate limit, no cache, no plugin state, no metrics, no logs.
 *
 * Run as its own process (so its CPU time is its own), compiled like the gateway (floor-process.ts),
 * or by hand: FLOOR_UPSTREAM_URL=http://127.0.0.1:7007 FLOOR_SERVICE_TOKEN=… node --import tsx bench/overhead/floor-proxy.ts
 * Prints one JSON line {"http1":"http://…","h2c":"http://…"} once listening; stops on SIGINT/SIGTERM.
 */
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Pool } from "undici";
import { PluginsService, ProxyPluginResponseSchema } from "../../src/gen/idp/plugins/v1/plugins_pb.js";
import { ROUTE, USER } from "./targets.js";
import { exitOnSignals, requiredEnv } from "../lib/bench-server.js";

const upstreamUrl = requiredEnv("FLOOR_UPSTREAM_URL");
const serviceToken = requiredEnv("FLOOR_SERVICE_TOKEN");
// The gateway's own pool shape (src/sidecar/sidecar-client.ts).
const upstream = new Pool(upstreamUrl, { connections: 32, pipelining: 1, keepAliveTimeout: 30_000 });

function routes(router: ConnectRouter): void {
  router.rpc(PluginsService.method.proxyPluginRequest, async (request) => {
    const query = new URLSearchParams(request.queryParams).toString();
    const answer = await upstream.request({
      method: "GET",
      path: `${ROUTE.basePath}${request.endpointPath}${query ? `?${query}` : ""}`,
      headers: { authorization: `Bearer ${serviceToken}`, "x-orbit-workspace-id": request.workspaceId, "x-orbit-user-id": USER },
    });
    const data = new Uint8Array(await answer.body.arrayBuffer());
    return create(ProxyPluginResponseSchema, { statusCode: answer.statusCode, data });
  });
}

const handler = connectNodeAdapter({ routes });
const http1Server = http.createServer(handler);
const h2cServer = http2.createServer(handler);
// As the gateway does: no Nagle delay on accepted connections.
http1Server.on("connection", (socket: import("node:net").Socket) => socket.setNoDelay(true));
h2cServer.on("connection", (socket: import("node:net").Socket) => socket.setNoDelay(true));

const listen = (server: http.Server | http2.Http2Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
console.log(JSON.stringify({ http1: await listen(http1Server), h2c: await listen(h2cServer) }));

exitOnSignals(http1Server, h2cServer);
