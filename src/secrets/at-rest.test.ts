import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createPluginStateStore } from "../store/plugin-state-store.js";
import { postgresBackend, uniqueWorkspace, useSeededDatabase } from "../store/test-support/test-databases.js";
import { createSecretSealer } from "./envelope.js";
import { generateKey, parseKeyRing } from "./key-ring.js";

const run = promisify(execFile);

describe("secrets at rest in a pg_dump of the real PostgreSQL database", () => {
  const opened = useSeededDatabase(postgresBackend);

  it("holds the ciphertext, never the plaintext", async () => {
    const key = generateKey();
    const store = createPluginStateStore({ db: opened.db, sealer: createSecretSealer(parseKeyRing(`k1:${key}`)) });
    const ws = uniqueWorkspace();
    const plaintext = `ghp_${randomBytes(18).toString("hex")}`;
    await store.apply(ws, "deployment", "alice", { enabled: true, secrets: { github_token: plaintext } });
    expect(await store.revealSecrets(ws, "deployment")).toEqual({ github_token: plaintext });

    const { stdout } = await run("pg_dump", ["--no-owner", "--data-only", opened.url!], { maxBuffer: 64 * 1024 * 1024 });
    // The dump is real and holds the row: the workspace and a v1 envelope under k1.
    expect(stdout).toContain(ws);
    expect(stdout).toMatch(/"github_token": "v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"/);
    expect(stdout).not.toContain(plaintext);
    expect(stdout).not.toContain(Buffer.from(plaintext).toString("base64"));
    expect(stdout).not.toContain(key);
  });
});
