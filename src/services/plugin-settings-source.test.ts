import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../lib/logger.js";
import { createSecretSealer } from "../secrets/envelope.js";
import { generateKey, parseKeyRing } from "../secrets/key-ring.js";
import { createCachedPluginStateStore } from "../store/cached-plugin-state-store.js";
import type { CachedPluginStateStore } from "../store/cached-plugin-state-store.js";
import { createPluginStateStore } from "../store/plugin-state-store.js";
import { backends, uniqueWorkspace, useSeededDatabase } from "../store/test-support/test-databases.js";
import { createPluginSettingsSource } from "./plugin-settings-source.js";

const HOUR_MS = 3_600_000;
const sealer = createSecretSealer(parseKeyRing(`k1:${generateKey()}`));
const logger = createLogger("silent");

describe.each(backends)("plugin settings for the data path on $name", (backend) => {
  const opened = useSeededDatabase(backend);
  let cached: CachedPluginStateStore;
  beforeAll(async () => {
    cached = await createCachedPluginStateStore(createPluginStateStore({ db: opened.db, sealer }), opened.db, { ttlMs: HOUR_MS });
  });
  afterAll(() => cached.close());

  const settingsOf = () => createPluginSettingsSource(cached, logger);

  it("serves a plugin enabled where the cache could not hear of it, with its secrets", async () => {
    const ws = uniqueWorkspace();
    await cached.apply(ws, "jira", "alice", { config: { base_url: "https://one.atlassian.net" }, secrets: { api_token: "token-one" } });
    await expect(settingsOf()(ws, "jira")).rejects.toMatchObject({ code: Code.FailedPrecondition });
    expect((await cached.get(ws, "jira")).enabled).toBe(false);
    // Enabled where this cache cannot hear of it, as another replica's commit is before its notification.
    await opened.db.query("UPDATE workspace_plugins SET enabled = true, version = version + 1 WHERE workspace_id = $1", [ws]);

    const settings = await settingsOf()(ws, "jira");
    expect(settings.version).toBe(2);
    expect(await settings.payload()).toEqual({ config: { base_url: "https://one.atlassian.net" }, secrets: { api_token: "token-one" } });
  });

  it("still refuses a plugin the database holds as disabled", async () => {
    const ws = uniqueWorkspace();
    await expect(settingsOf()(ws, "deployment")).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: /"deployment" is disabled/,
    });
  });
});
