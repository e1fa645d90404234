import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.js";

/** The egress settings both processes read (the policy itself is the sidecar's, see src/egress/policy.ts). */
describe("egress settings of the gateway", () => {
  it("refuses unusable egress settings at start-up, naming the variable and the entry", () => {
    expect(() => loadConfig({ ORBIT_EGRESS_ALLOWED_HOSTS: "api.example.com, 127.0.0.1" })).toThrow(
      /ORBIT_EGRESS_ALLOWED_HOSTS[\s\S]*"127\.0\.0\.1" is an IP address without a port/,
    );
    expect(() => loadConfig({ ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/33" })).toThrow(
      /ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS[\s\S]*not an IP network/,
    );
    expect(loadConfig({ ORBIT_EGRESS_ALLOWED_HOSTS: "ghes.example.com:8443 *.jira.example.com" }).egressAllowedHosts).toEqual([
      "ghes.example.com:8443",
      "*.jira.example.com",
    ]);
  });
});
