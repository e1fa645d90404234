/**
 * `npm start`: the local stack on embedded defaults — the Backstage sidecar and the
 * gateway as two processes, one command, one Ctrl-C. The sidecar's dependencies are
 * installed on first use. A random service token links the two for this run unless
 * BACKSTAGE_SERVICE_TOKEN is set. Both processes inherit the environment, so the
 * egress allow-list (ORBIT_EGRESS_ALLOWED_HOSTS, ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS)
 * is the same for the gateway's URL checks and the sidecar's connections.
 */
import { randomBytes } from "node:crypto";
import { createStack, ensureSidecarInstalled, rootDir, startSidecar } from "./stack/processes.js";

ensureSidecarInstalled();

const serviceToken = process.env.BACKSTAGE_SERVICE_TOKEN ?? randomBytes(32).toString("base64url");
const stack = createStack();
const sidecarUrl = await startSidecar(stack, { port: process.env.SIDECAR_PORT ?? "7007", serviceToken });
if (sidecarUrl) {
  stack.run("gateway", ["src/main.ts"], rootDir, { ...process.env, BACKSTAGE_URL: sidecarUrl, BACKSTAGE_SERVICE_TOKEN: serviceToken });
}
