import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createPluginStateStore } from "../store/plugin-state-store.js";
import { postgresBackend, uniqueWorkspace, useSeededDatabase } from "../store/test-support/test-databases.js";
import { createSecretSealer } from "./envelope.js";
import { generateKey, parseKeyRing } from "./key-ring.js";

const run = promisify(execFile);
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const script = fileURLToPath(new URL("../../scripts/rotate-secrets.ts", import.meta.url));

describe("npm run secrets:rotate", () => {
  const opened = useSeededDatabase(postgresBackend);

  it("re-encrypts under the newest key and prints a summary", { timeout: 60_000 }, async () => {
    const k1 = `k1:${generateKey()}`;
    const k2 = `k2:${generateKey()}`;
    const store = createPluginStateStore({ db: opened.db, sealer: createSecretSealer(parseKeyRing(k1)) });
    const ws = uniqueWorkspace();
    await store.apply(ws, "jira", "alice", { secrets: { tok: "one" } });
    await store.apply(ws, "deployment", "alice", { secrets: { tok: "two" } });

    const env = { ...process.env, DATABASE_URL: opened.url, ORBIT_SECRETS_KEYS: `${k1},${k2}` };
    const first = await run(tsx, [script, "--batch-size", "1", "--max-rows", "1"], { env });
    expect(first.stdout).toMatch(/rows re-encrypted:\s+1 \(1 secrets\)/);
    expect(first.stdout).toContain("run the command again to continue");
    const second = await run(tsx, [script], { env });
    expect(second.stdout).toMatch(/rows scanned:\s+2\n/);
    expect(second.stdout).toMatch(/rows re-encrypted:\s+1 \(1 secrets\)/);
    expect(second.stdout).toMatch(/rows already current:\s+1\n/);
    expect(second.stdout).toContain('done: every secret is under key "k2"');
    const output = first.stdout + first.stderr + second.stdout + second.stderr;
    expect(output).not.toContain(k1.slice(3));
    expect(output).not.toContain(k2.slice(3));

    const after = createPluginStateStore({ db: opened.db, sealer: createSecretSealer(parseKeyRing(k2)) });
    expect(await after.revealSecrets(ws, "jira")).toEqual({ tok: "one" });
  });

  it("fails with a clear message and exit code 1 without a key ring", { timeout: 60_000 }, async () => {
    const env = { ...process.env, DATABASE_URL: opened.url, ORBIT_SECRETS_KEYS: "" };
    const failure = await run(tsx, [script], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("ORBIT_SECRETS_KEYS is not set");
  });
});
