import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";

const secret = "s".repeat(32);

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig({ ORBIT_SVC_AUTH_SECRET: secret });
    expect(config).toMatchObject({
      port: 50053,
      rateLimitMax: 100,
      rateLimitWindow: 60_000,
      maxRequestBytes: 4 * 1024 * 1024,
      rateLimitFailClosed: false,
      corsOrigins: [],
    });
    expect(config.redisUrl).toBeUndefined();
  });

  it("parses durations, lists and per-workspace budgets", () => {
    const config = loadConfig({
      ORBIT_SVC_AUTH_SECRET: secret,
      RATE_LIMIT_WINDOW: "30s",
      MAX_DEADLINE: "2m",
      CORS_ORIGINS: "https://a.example, https://b.example",
      RATE_LIMIT_OVERRIDES: "ws-1=10, ws-2=0",
    });
    expect(config.rateLimitWindow).toBe(30_000);
    expect(config.maxDeadline).toBe(120_000);
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect([...config.rateLimitOverrides]).toEqual([
      ["ws-1", 10],
      ["ws-2", 0],
    ]);
  });

  it.each([
    [{ PORT: "seventy" }, "PORT"],
    [{ RATE_LIMIT_WINDOW: "soon" }, "RATE_LIMIT_WINDOW"],
    [{ RATE_LIMIT_OVERRIDES: "ws-1" }, "RATE_LIMIT_OVERRIDES"],
    [{ REDIS_URL: "http://nope" }, "REDIS_URL"],
    [{ RATE_LIMIT_FAIL_CLOSED: "maybe" }, "RATE_LIMIT_FAIL_CLOSED"],
    [{ TLS_CERT_FILE: "/tmp/cert.pem" }, "TLS_CERT_FILE"],
    [{ ORBIT_SVC_AUTH_SECRET: "short" }, "ORBIT_SVC_AUTH_SECRET"],
  ])("names the setting at fault: %o", (env, name) => {
    expect(() => loadConfig({ ORBIT_SVC_AUTH_SECRET: secret, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ORBIT_SVC_AUTH_SECRET: secret, ...env })).toThrow(name);
  });

  it("stops production start-up without a secret, or with a short one", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/ORBIT_SVC_AUTH_SECRET: required in production/);
    expect(() => loadConfig({ NODE_ENV: "production", ORBIT_SVC_AUTH_SECRET: "x".repeat(31) })).toThrow(/at least 32 bytes/);
    expect(loadConfig({ NODE_ENV: "production", ORBIT_SVC_AUTH_SECRET: secret }).nodeEnv).toBe("production");
  });

  it("lets development start without a secret (main generates one per run)", () => {
    expect(loadConfig({}).authSecret).toBeUndefined();
  });
});
