/**
 * The callers of the warm GetPipeline comparison, each making its calls one at a time as a
 * person's view does: the connect-node client in this process (protobuf binary, the
 * default of @connectrpc/connect-node), Orbit's web app's way in headless Chromium (fetch,
 * Connect JSON, what @connectrpc/connect-web sends), and a plain node:http caller of
 * Connect JSON (about what a browser's fetch costs, without the browser's processes).
 */
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { TimedCall } from "../lib/gc-pauses.js";
import { SERVICE, WORKSPACE, as, deploymentsClient } from "../economy/workspace.js";

/** A server to call (the gateway or the floor) and the Orbit token it accepts. */
export interface WarmTarget {
  readonly url: string;
  readonly token: string;
}

export interface WarmCaller {
  readonly name: string;
  /** Whether its GC pauses are this process's (recordOwnGcPauses sees them). */
  readonly inThisProcess: boolean;
  /** `count` calls, one after the other, each timed on the wall clock. */
  calls(target: WarmTarget, count: number): Promise<TimedCall[]>;
  close(): Promise<void>;
}

const PATH = "/idp.plugins.v1.DeploymentService/GetPipeline";
const REQUEST = JSON.stringify({ workspaceId: WORKSPACE, service: SERVICE });

export function connectNodeCaller(): WarmCaller {
  const clients = new Map<string, ReturnType<typeof deploymentsClient>>();
  const clientOf = (url: string) => clients.get(url) ?? clients.set(url, deploymentsClient(url)).get(url)!;
  return {
    name: "connect-node client (binary, this process)",
    inThisProcess: true,
    calls: (target, count) => {
      const client = clientOf(target.url);
      return timedCalls(() => client.getPipeline({ workspaceId: WORKSPACE, service: SERVICE }, as(target.token)), count);
    },
    close: async () => undefined,
  };
}

export function plainHttpCaller(): WarmCaller {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = (target: WarmTarget) =>
    new Promise<unknown>((resolve, reject) => {
      const url = new URL(PATH, target.url);
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            "connect-protocol-version": "1",
            "accept-encoding": "gzip, br",
            authorization: `Bearer ${target.token}`,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            try {
              const body = decoded(Buffer.concat(chunks), response.headers["content-encoding"]);
              if (response.statusCode === 200) resolve(JSON.parse(body.toString("utf8")));
              else reject(new Error(`GetPipeline answered ${response.statusCode}: ${body.toString("utf8").slice(0, 300)}`));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on("error", reject);
      request.end(REQUEST);
    });
  return {
    name: "node:http caller (Connect JSON, this process)",
    inThisProcess: true,
    calls: (target, count) => timedCalls(() => call(target), count),
    close: async () => agent.destroy(),
  };
}

/** The page's origin, which the gateway's CORS_ORIGINS must allow before the caller exists. */
export interface BlankSite {
  readonly origin: string;
  close(): Promise<void>;
}

export async function startBlankSite(): Promise<BlankSite> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>orbit bench</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Why Chromium cannot be a caller here, when it cannot. */
export interface Unavailable {
  readonly unavailable: string;
}

/**
 * Chromium as the web tests launch it (web/test/support/browser.ts: Debian's Chromium, driven by
 * the web package's playwright-core, imported only here so that the other callers need neither).
 */
export async function chromiumCaller(site: BlankSite): Promise<WarmCaller | Unavailable> {
  let browserSupport: typeof import("../../web/test/support/browser.js");
  try {
    browserSupport = await import("../../web/test/support/browser.js");
  } catch (error) {
    return { unavailable: `the web package's playwright-core cannot be loaded (npm ci in web/): ${(error as Error).message}` };
  }
  if (!existsSync(browserSupport.CHROMIUM_PATH)) {
    return { unavailable: `no browser at ${browserSupport.CHROMIUM_PATH} (apt-get install chromium)` };
  }
  const browser = await browserSupport.launchChromium();
  const page = await browser.newPage();
  await page.goto(site.origin);
  return {
    name: "Chromium fetch (Connect JSON, as the web app)",
    inThisProcess: false,
    calls: async (target, count) => {
      // A string, not a function: the transpiler's helpers would not exist in the page.
      const pairs = (await page.evaluate(pageLoop(target, count))) as Array<[number, number]>;
      return pairs.map(([startMs, durationMs]) => ({ startMs, durationMs }));
    },
    close: () => browser.close(),
  };
}

function pageLoop(target: WarmTarget, count: number): string {
  return `(async () => {
    const call = async () => {
      const response = await fetch(${JSON.stringify(target.url + PATH)}, {
        method: "POST",
        headers: { "content-type": "application/json", "connect-protocol-version": "1", authorization: ${JSON.stringify(`Bearer ${target.token}`)} },
        body: ${JSON.stringify(REQUEST)},
      });
      if (!response.ok) throw new Error("GetPipeline answered " + response.status + ": " + (await response.text()).slice(0, 300));
      return response.json();
    };
    const calls = [];
    for (let n = 0; n < ${count}; n++) {
      const started = performance.now();
      await call();
      calls.push([performance.timeOrigin + started, performance.now() - started]);
    }
    return calls;
  })()`;
}

async function timedCalls(call: () => Promise<unknown>, count: number): Promise<TimedCall[]> {
  const calls: TimedCall[] = [];
  for (let n = 0; n < count; n++) {
    const startMs = performance.timeOrigin + performance.now();
    const started = performance.now();
    await call();
    calls.push({ startMs, durationMs: performance.now() - started });
  }
  return calls;
}

function decoded(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === "gzip") return gunzipSync(body);
  if (encoding === "br") return brotliDecompressSync(body);
  return body;
}
