/**
 * `node --import tsx src/main.ts [--seed acme|globex]`: a Jenkins simulator
 * on a free loopback port; prints {"url", "user", "apiToken"} as its first line.
 */
import { startJenkinsSimulator } from './index';
import { JENKINS_SEEDS } from './seed';

const seedName = process.argv.includes('--seed') ? (process.argv[process.argv.indexOf('--seed') + 1] ?? '') : 'acme';
const seed = JENKINS_SEEDS[seedName];
if (!seed) {
  console.error(`unknown seed ${seedName}; known: ${Object.keys(JENKINS_SEEDS).join(', ')}`);
  process.exit(2);
}
startJenkinsSimulator(seed).then(simulator => {
  process.stdout.write(`${JSON.stringify({ url: simulator.url, user: seed.user, apiToken: seed.apiToken })}\n`);
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
