/** The operator's settings for the stock plugin processes of one sidecar (environment variables). */
export interface StockProcessSettings {
  /** A child with no call for this long is stopped; the next call starts it again. */
  readonly idleStopMs: number;
  /** At most this many children run at once (all workspaces and plugins together). */
  readonly maxProcesses: number;
}

export const IDLE_SECONDS_ENV = 'ORBIT_STOCK_IDLE_SECONDS';
export const MAX_PROCESSES_ENV = 'ORBIT_STOCK_MAX_PROCESSES';

export const DEFAULT_IDLE_SECONDS = 900;
export const DEFAULT_MAX_PROCESSES = 20;

/** Bounds that keep a typo from stopping children between calls or from exhausting the machine's memory. */
const IDLE_SECONDS = { min: 1, max: 86_400 };
const MAX_PROCESSES = { min: 1, max: 1_000 };

function integerIn(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
  unit: string,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < bounds.min || value > bounds.max) {
    throw new Error(
      `${name} must be a whole number of ${unit} from ${bounds.min} to ${bounds.max} (got "${raw}"); unset it for the default ${fallback}.`,
    );
  }
  return value;
}

/** Reads ORBIT_STOCK_IDLE_SECONDS and ORBIT_STOCK_MAX_PROCESSES; throws with an actionable message when one is unusable. */
export function stockProcessSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): StockProcessSettings {
  return {
    idleStopMs: integerIn(env, IDLE_SECONDS_ENV, DEFAULT_IDLE_SECONDS, IDLE_SECONDS, 'seconds') * 1000,
    maxProcesses: integerIn(env, MAX_PROCESSES_ENV, DEFAULT_MAX_PROCESSES, MAX_PROCESSES, 'processes'),
  };
}

/** The problem with these settings, for the sidecar's preflight; undefined when they are usable. */
export function stockProcessSettingsProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    stockProcessSettingsFromEnv(env);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
