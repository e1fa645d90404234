import { pino } from "pino";
import type { Logger, LevelWithSilent } from "pino";
import { HEADERS } from "./header-names.js";

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log line. Tokens,
 * secrets and credentials must never reach a log, even when a caller logs a whole
 * request or error object by mistake.
 */
export const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  `headers["${HEADERS.userGitHubToken}"]`,
  `*.headers["${HEADERS.userGitHubToken}"]`,
  // A plugin's workspace settings with decrypted secrets (sidecar requests only).
  `headers["${HEADERS.sidecarPluginSettings}"]`,
  `*.headers["${HEADERS.sidecarPluginSettings}"]`,
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
