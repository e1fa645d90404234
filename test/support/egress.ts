/**
 * The egress allowance for the simulators of a test: `ORBIT_EGRESS_ALLOWED_HOSTS`
 * naming each simulator by exact address and port, for the gateway (URL
 * validation at EnablePlugin) and the sidecar (every connection) alike. Nothing
 * else on the loopback interface becomes reachable.
 */
export function egressAllowing(...upstreamUrls: string[]): { ORBIT_EGRESS_ALLOWED_HOSTS: string } {
  return { ORBIT_EGRESS_ALLOWED_HOSTS: upstreamUrls.map((url) => new URL(url).host).join(",") };
}
