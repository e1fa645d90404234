import { pino } from "pino";
import type { Logger, LevelWithSilent } from "pino";

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log line. Tokens,
 * secrets and credentials must never reach a log, even when a caller logs a whole
 * request or error object by mistake.
 */
export const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  'headers["x-github-token"]',
  '*.headers["x-github-token"]',
  // A plugin's workspace settings with decrypted secrets (sidecar requests only).
  'headers["x-orbit-plugin-config"]',
  '*.headers["x-orbit-plugin-config"]',
  "token",
  "*.token",
  "secret",
  "*.secret",
  "secrets",
  "*.secrets",
  "password",
  "*.password",
];

export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "orbit-plugins-gateway" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
