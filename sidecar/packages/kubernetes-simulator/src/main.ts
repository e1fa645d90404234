/**
 * `node --import tsx src/main.ts [--seed acme|globex]`: a Kubernetes API
 * simulator on a free loopback port; prints {"url", "token"} as its first line.
 */
import { startKubernetesSimulator } from './index';
import { KUBERNETES_SEEDS } from './seed';

const seedName = process.argv.includes('--seed') ? (process.argv[process.argv.indexOf('--seed') + 1] ?? '') : 'acme';
const seed = KUBERNETES_SEEDS[seedName];
if (!seed) {
  console.error(`unknown seed ${seedName}; known: ${Object.keys(KUBERNETES_SEEDS).join(', ')}`);
  process.exit(2);
}
startKubernetesSimulator(seed).then(simulator => {
  process.stdout.write(`${JSON.stringify({ url: simulator.url, token: seed.token })}\n`);
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
