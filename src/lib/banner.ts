export interface BannerFacts {
  readonly url: string;
  readonly token: string;
  readonly workspaceId: string;
  readonly generatedSecret: boolean;
  readonly ttlHours: number;
  /** Set when a sidecar is configured: then the banner also shows a plugin call. */
  readonly sidecarUrl?: string;
}

/** What a developer needs after `npm start`: where it listens and a call to paste. */
export function printBanner(facts: BannerFacts): void {
  const { url, token, workspaceId } = facts;
  const lines = [
    "",
    `Orbit plugins gateway is listening on ${url}`,
    "",
    `Development token (admin of workspace "${workspaceId}", valid ${facts.ttlHours} h${facts.generatedSecret ? ", signed with this run's random secret" : ""}):`,
    `  export ORBIT_TOKEN='${token}'`,
    "",
    "Try it:",
    `  npx buf curl --protocol connect --schema proto -H "Authorization: Bearer $ORBIT_TOKEN" \\`,
    `    -d '{"workspace_id":"${workspaceId}"}' ${url}/idp.plugins.v1.PluginsService/ListPlugins`,
    `  grpcurl -plaintext -H "authorization: Bearer $ORBIT_TOKEN" -d '{"workspace_id":"${workspaceId}"}' \\`,
    `    ${url.replace(/^https?:\/\//, "")} idp.plugins.v1.PluginsService/ListPlugins`,
    "",
  ];
  if (facts.sidecarUrl) {
    lines.push(
      `Plugins run in the Backstage sidecar at ${facts.sidecarUrl}. Enable one, then call it:`,
      `  npx buf curl --protocol connect --schema proto -H "Authorization: Bearer $ORBIT_TOKEN" \\`,
      `    -d '{"workspace_id":"${workspaceId}","plugin_id":"deployment"}' ${url}/idp.plugins.v1.PluginsService/EnablePlugin`,
      `  npx buf curl --protocol connect --schema proto -H "Authorization: Bearer $ORBIT_TOKEN" \\`,
      `    -d '{"workspace_id":"${workspaceId}","plugin_id":"deployment","endpoint_path":"/services"}' \\`,
      `    ${url}/idp.plugins.v1.PluginsService/ProxyPluginRequest`,
      "",
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
