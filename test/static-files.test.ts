import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveStaticSite } from "../scripts/stack/static-files.js";
import type { StaticSite } from "../scripts/stack/static-files.js";

// The demo's static server for web/dist: files below its root only, with a CSP naming the gateway.

let site: StaticSite;
const root = mkdtempSync(join(tmpdir(), "orbit-static-"));

beforeAll(async () => {
  mkdirSync(join(root, "dist/assets"), { recursive: true });
  writeFileSync(join(root, "dist/index.html"), "<!doctype html><title>ui</title>");
  writeFileSync(join(root, "dist/assets/app.js"), "console.log(1)");
  writeFileSync(join(root, "secret.txt"), "outside the root");
  site = await serveStaticSite({ root: join(root, "dist"), gatewayUrl: "http://127.0.0.1:50053/" });
});
afterAll(() => site?.close());

/** A raw request, so the path reaches the server exactly as written (fetch would normalise it). */
function get(
  path: string,
  method = "GET",
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const { hostname, port } = new URL(site.origin);
  return new Promise((resolve, reject) => {
    const call = request({ host: hostname, port, path, method }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    call.on("error", reject);
    call.end();
  });
}

describe("the static site of the web UI", () => {
  it("serves files with their type, and index.html for the app's paths", async () => {
    const script = await get("/assets/app.js");
    expect(script).toMatchObject({ status: 200, body: "console.log(1)" });
    expect(script.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(script.headers["cache-control"]).toContain("immutable");
    expect((await get("/")).body).toContain("<title>ui</title>");
    expect((await get("/deployments")).body).toContain("<title>ui</title>");
    expect((await get("/missing.js")).status).toBe(404);
  });

  it("never serves a file outside its root", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt"]) {
      const answer = await get(path);
      expect(answer.body, path).not.toContain("outside the root");
    }
    expect((await get("/%E0%A4%A")).status).toBe(400);
  });

  it("answers GET and HEAD only, with a CSP that lets the page call the gateway and nothing else", async () => {
    expect((await get("/", "POST")).status).toBe(405);
    const head = await get("/", "HEAD");
    expect(head).toMatchObject({ status: 200, body: "" });
    expect(head.headers["content-security-policy"]).toContain("connect-src 'self' http://127.0.0.1:50053;");
    expect(head.headers["referrer-policy"]).toBe("no-referrer");
  });
});
