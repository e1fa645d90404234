/**
 * A tiny static server for the built web UI (web/dist) — `npm run demo` and the browser
 * tests serve the UI with it from an origin of its own, so the page calls the gateway
 * cross-origin exactly as Orbit's pages do (the gateway's CORS_ORIGINS names it).
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const webDistDir = fileURLToPath(new URL("../../web/dist/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

export interface StaticSite {
  /** e.g. http://127.0.0.1:5173 (no trailing slash). */
  readonly origin: string;
  close(): Promise<void>;
}

export interface StaticSiteOptions {
  readonly root?: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The gateway the page may call (Content-Security-Policy connect-src). */
  readonly gatewayUrl?: string;
}

/** Serves files below `root`; unknown paths get index.html (the app routes in the fragment). */
export async function serveStaticSite(options: StaticSiteOptions = {}): Promise<StaticSite> {
  const root = normalize(options.root ?? webDistDir);
  const connectSrc = ["'self'", ...(options.gatewayUrl ? [new URL(options.gatewayUrl).origin] : [])].join(" ");
  const headers = {
    "content-security-policy": `default-src 'self'; connect-src ${connectSrc}; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'`,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  };
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? "/", "http://static").pathname);
    } catch {
      response.writeHead(400, headers).end();
      return;
    }
    const file = normalize(join(root, path));
    // Never outside the root, whatever the path says.
    const inside = file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
    const target = !inside || path.endsWith("/") || extname(file) === "" ? join(root, "index.html") : file;
    readFile(target).then(
      (body) => {
        const immutable = target.includes(`${sep}assets${sep}`);
        response.writeHead(200, {
          ...headers,
          "content-type": TYPES[extname(target)] ?? "application/octet-stream",
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
        });
        response.end(request.method === "HEAD" ? undefined : body);
      },
      () => response.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    origin: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
