import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.js";

/**
 * One egress policy for both processes: the sidecar's package is its home
 * (sidecar/plugins/egress-node/src/policy.ts); the gateway, built from src/
 * alone (Dockerfile), keeps a verbatim copy. Edit the sidecar's and copy it.
 */
describe("egress policy shared by the gateway and the sidecar", () => {
  it("is the same file in both trees", () => {
    const sidecar = readFileSync(new URL("../sidecar/plugins/egress-node/src/policy.ts", import.meta.url), "utf8");
    const gateway = readFileSync(new URL("../src/egress/policy.ts", import.meta.url), "utf8");
    expect(gateway, "cp sidecar/plugins/egress-node/src/policy.ts src/egress/policy.ts").toBe(sidecar);
  });

  it("refuses unusable egress settings at start-up, naming the variable and the entry", () => {
    expect(() => loadConfig({ ORBIT_EGRESS_ALLOWED_HOSTS: "api.example.com, 127.0.0.1" })).toThrow(
      /ORBIT_EGRESS_ALLOWED_HOSTS[\s\S]*"127\.0\.0\.1" is an IP address without a port/,
    );
    expect(() => loadConfig({ ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/33" })).toThrow(/ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS[\s\S]*not an IP network/);
    expect(loadConfig({ ORBIT_EGRESS_ALLOWED_HOSTS: "ghes.example.com:8443 *.jira.example.com" }).egressAllowedHosts).toEqual([
      "ghes.example.com:8443",
      "*.jira.example.com",
    ]);
  });
});
