/**
 * Checks that must pass before the backend starts. Backstage would also fail
 * (or worse, connect somewhere unexpected) without these variables, but with
 * generic errors; these messages say what is missing and how to set it.
 */

import { stockProcessSettingsProblem } from '@internal/stock-host';
import { egressSettingsProblem } from './egress';
/** Mounts the test-only diagnostic routes (testing/diagnosticRoutes.ts). */
export const TEST_ROUTES_ENV = 'ORBIT_SIDECAR_TEST_ROUTES';

export const SERVICE_TOKEN_ENV = 'BACKSTAGE_SERVICE_TOKEN';

/** Backstage's rules for static tokens: no whitespace, at least 8 characters. */
const MIN_TOKEN_LENGTH = 8;

const HOW_TO_SET_TOKEN = [
  `${SERVICE_TOKEN_ENV} is the shared secret the Orbit plugins gateway sends as`,
  `"Authorization: Bearer <token>" on every call; the sidecar accepts nothing else.`,
  `The gateway's \`npm start\` generates one and passes it to both processes.`,
  `To run the sidecar on its own, set it to a random value, e.g.:`,
  ``,
  `  export ${SERVICE_TOKEN_ENV}="$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")"`,
  `  npm start`,
].join('\n');

const POSTGRES_ENV = ['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_PASSWORD'];

/** Whether app-config.production.yaml will be loaded (explicitly or via BACKSTAGE_ENV). */
function usesProductionConfig(argv: string[], env: NodeJS.ProcessEnv): boolean {
  const configArgs = argv.filter(arg => arg.endsWith('.yaml'));
  if (argv.includes('--config') || argv.some(a => a.startsWith('--config='))) {
    return configArgs.some(arg => arg.endsWith('app-config.production.yaml'));
  }
  return (env.BACKSTAGE_ENV ?? '')
    .split(',')
    .map(e => e.trim())
    .includes('production');
}

/** Returns the problems found; empty when the environment is usable. */
export function preflight(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];

  const token = env[SERVICE_TOKEN_ENV];
  if (token === undefined || token.trim() === '') {
    problems.push(`${SERVICE_TOKEN_ENV} is not set.\n\n${HOW_TO_SET_TOKEN}`);
  } else if (!/^\S+$/.test(token) || token.length < MIN_TOKEN_LENGTH) {
    problems.push(
      `${SERVICE_TOKEN_ENV} must be at least ${MIN_TOKEN_LENGTH} characters with no whitespace.\n\n${HOW_TO_SET_TOKEN}`,
    );
  }

  if (usesProductionConfig(argv, env) && env[TEST_ROUTES_ENV] === 'true') {
    problems.push(
      `${TEST_ROUTES_ENV}=true mounts test-only diagnostic routes; it is refused with the production config.`,
    );
  }

  if (usesProductionConfig(argv, env)) {
    const missing = POSTGRES_ENV.filter(name => !env[name]?.trim());
    if (missing.length > 0) {
      problems.push(
        `app-config.production.yaml uses PostgreSQL but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set ` +
          `(POSTGRES_PORT is optional, default 5432). Set them, or run \`npm start\` for in-memory SQLite.`,
      );
    }
  }

  const egressProblem = egressSettingsProblem(env);
  if (egressProblem) problems.push(egressProblem);

  const stockProblem = stockProcessSettingsProblem(env);
  if (stockProblem) problems.push(stockProblem);

  return problems;
}
