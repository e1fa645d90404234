import type { Server as NetServer, Socket } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2Session } from "node:http2";

export interface ConnectionDrain {
  /**
   * Stops connection reuse: HTTP/2 sessions get GOAWAY and close once their streams
   * finish; idle HTTP/1.1 connections close now, busy ones after their response.
   * Resolves when every connection is gone, or destroys the rest at the deadline.
   */
  drain(deadlineMs: number): Promise<void>;
}

/**
 * Tracks the connections of a server (plaintext polyglot or TLS) so shutdown can
 * let in-flight calls finish without waiting for clients to hang up keep-alive
 * connections on their own.
 */
export function trackConnections(server: NetServer): ConnectionDrain {
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  const busy = new Map<Socket, number>();
  let draining = false;

  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (draining) session.close();
  });
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    if (request.httpVersionMajor !== 1) return; // HTTP/2 streams are drained by their session
    const socket = request.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    if (draining) response.setHeader("connection", "close");
    response.once("close", () => {
      const left = (busy.get(socket) ?? 1) - 1;
      busy.set(socket, left);
      if (draining && left === 0) socket.destroy();
    });
  });

  return {
    async drain(deadlineMs) {
      draining = true;
      for (const session of sessions) session.close();
      for (const socket of sockets) {
        const idleHttp1 = busy.has(socket) && busy.get(socket) === 0;
        const neverUsed = socket.bytesRead === 0;
        if (idleHttp1 || neverUsed) socket.destroy();
      }
      for (const [socket, count] of busy) if (count === 0) socket.destroy();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
          resolve();
        }, deadlineMs);
        timer.unref();
        const check = () => {
          if (sockets.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        for (const socket of sockets) socket.once("close", check);
        check();
      });
    },
  };
}
