/**
 * `node --import tsx src/main.ts [--seed acme|globex]`: a SonarQube simulator
 * on a free loopback port; prints {"url", "token"} as its first line.
 */
import { startSonarQubeSimulator } from './index';
import { SONARQUBE_SEEDS } from './seed';

const seedName = process.argv[process.argv.indexOf('--seed') + 1] ?? 'acme';
const seed = SONARQUBE_SEEDS[process.argv.includes('--seed') ? seedName : 'acme'];
if (!seed) {
  console.error(`unknown seed ${seedName}; known: ${Object.keys(SONARQUBE_SEEDS).join(', ')}`);
  process.exit(2);
}
startSonarQubeSimulator(seed).then(simulator => {
  process.stdout.write(`${JSON.stringify({ url: simulator.url, token: seed.token })}\n`);
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
