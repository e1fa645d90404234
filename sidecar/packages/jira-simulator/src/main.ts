/**
 * CLI: node --import tsx src/main.ts [--port 7071] [--host 127.0.0.1] [--seed demo|<seed.json>]
 *
 * Prints one JSON line {"url", "control"} once listening, then the demo
 * credentials and the control endpoints.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createJiraSimulator, JIRA_CONTROL_ENDPOINTS } from './server';
import { DEMO_JIRA_ACCOUNTS, DEMO_JIRA_CREDENTIALS } from './seed';
import type { JiraSeed } from './types';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7071' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'demo' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0) throw new Error('--port must be a non-negative integer');
  const seed: JiraSeed | 'demo' =
    values.seed === 'demo' ? 'demo' : (JSON.parse(readFileSync(values.seed, 'utf8')) as JiraSeed);
  const sim = await createJiraSimulator({ port, host: values.host, seed });

  console.log(JSON.stringify({ url: sim.url, control: `${sim.url}/_simulator` }));
  console.log(`Jira simulator listening on ${sim.url} (search: ${sim.url}/rest/api/3/search/jql)`);
  if (values.seed === 'demo') {
    console.log("Demo credentials (Basic auth email:api_token; a workspace's Jira base_url is the URL above):");
    for (const { email, apiToken } of [DEMO_JIRA_CREDENTIALS, ...Object.values(DEMO_JIRA_ACCOUNTS)]) {
      console.log(`  ${email.padEnd(24)} ${apiToken}`);
    }
    console.log('Projects: OPS, PAY (everyone), SEC (grace only).');
  }
  console.log('Control API:');
  for (const line of JIRA_CONTROL_ENDPOINTS) console.log(`  ${line}`);

  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
