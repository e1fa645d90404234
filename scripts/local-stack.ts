/**
 * `npm start`: the local stack on embedded defaults — the Backstage sidecar and the
 * gateway as two processes, one command, one Ctrl-C. The sidecar's dependencies are
 * installed on first use. A random service token links the two for this run unless
 * BACKSTAGE_SERVICE_TOKEN is set.
 */
import { randomBytes } from "node:crypto";
import { createStack, ensureSidecarInstalled, rootDir, sidecarDir, waitUntilReady } from "./stack/processes.js";

ensureSidecarInstalled();

const serviceToken = process.env.BACKSTAGE_SERVICE_TOKEN ?? randomBytes(32).toString("base64url");
const sidecarPort = process.env.SIDECAR_PORT ?? "7007";
const sidecarUrl = `http://127.0.0.1:${sidecarPort}`;
const stack = createStack();

stack.run("sidecar", ["packages/backend/src/index.ts"], sidecarDir, {
  ...process.env,
  BACKSTAGE_SERVICE_TOKEN: serviceToken,
  SIDECAR_PORT: sidecarPort,
  SIDECAR_HOST: "127.0.0.1",
  LOG_LEVEL: process.env.SIDECAR_LOG_LEVEL ?? "warn",
});

if (await waitUntilReady(stack, "the sidecar", `${sidecarUrl}/.backstage/health/v1/readiness`)) {
  stack.run("gateway", ["src/main.ts"], rootDir, { ...process.env, BACKSTAGE_URL: sidecarUrl, BACKSTAGE_SERVICE_TOKEN: serviceToken });
}
