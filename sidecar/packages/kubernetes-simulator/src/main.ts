/**
 * `node --import tsx src/main.ts [--seed acme|globex] [--tls]`: a Kubernetes API
 * simulator on a free loopback port; prints {"url", "token"} as its first line
 * (with `--tls`: HTTPS with a fresh self-signed certificate for 127.0.0.1, and
 * "caPem", the certificate a client must trust).
 */
import { execFileSync } from 'node:child_process';
import { startKubernetesSimulator } from './index';
import { KUBERNETES_SEEDS } from './seed';

const seedName = process.argv.includes('--seed') ? (process.argv[process.argv.indexOf('--seed') + 1] ?? '') : 'acme';
const seed = KUBERNETES_SEEDS[seedName];
if (!seed) {
  console.error(`unknown seed ${seedName}; known: ${Object.keys(KUBERNETES_SEEDS).join(', ')}`);
  process.exit(2);
}

/** A self-signed certificate for 127.0.0.1 and its key, made by openssl, kept in memory only. */
function selfSignedCertificate(): { key: string; cert: string } {
  const pem = execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      '-',
      '-out',
      '-',
    ].concat(['-days', '2', '-subj', '/CN=kubernetes-simulator', '-addext', 'subjectAltName=IP:127.0.0.1']),
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const block = (label: RegExp) => pem.match(label)?.[0] ?? '';
  return {
    key: block(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/),
    cert: block(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/),
  };
}

const tls = process.argv.includes('--tls') ? selfSignedCertificate() : undefined;
startKubernetesSimulator({ ...seed, ...(tls ? { tls } : {}) }).then(simulator => {
  process.stdout.write(
    `${JSON.stringify({ url: simulator.url, token: seed.token, ...(tls ? { caPem: tls.cert } : {}) })}\n`,
  );
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
