import { readFileSync } from "node:fs";
import { createServer } from "@httptoolkit/httpolyglot";
import type { FastifyServerOptions } from "fastify";
import type { RequestListener, Server as HttpServer } from "node:http";

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Fastify server options for one port that speaks every protocol Orbit's clients use.
 *
 * Cleartext: Node's HTTP/2 server cannot fall back to HTTP/1.1 without TLS, so
 * httpolyglot sniffs each connection's first bytes and hands HTTP/2 prior-knowledge
 * connections (the "PRI * HTTP/2.0" preface) to an HTTP/2 server and the rest to an
 * HTTP/1.1 server. With TLS, Node's own ALPN negotiation does the same job.
 */
export function serverOptions(tls: TlsFiles | undefined): Partial<FastifyServerOptions> & Record<string, unknown> {
  if (tls) {
    return {
      http2: true,
      https: {
        allowHTTP1: true,
        cert: readFileSync(tls.certFile),
        key: readFileSync(tls.keyFile),
      },
    };
  }
  return {
    // httpolyglot's server is a net.Server that owns the HTTP/1.1 and HTTP/2 servers.
    serverFactory: (handler: RequestListener) => createServer(handler) as unknown as HttpServer,
  };
}
