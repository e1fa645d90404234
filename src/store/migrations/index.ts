import type { Migration } from "../migrate.js";
import { initial } from "./20261121_0001_initial.js";

/**
 * Every migration, oldest first. SQL lives in TS modules so it loads the same under
 * tsx and from a compiled dist/ with no files to copy. Never edit a shipped migration;
 * add a new one with a later version.
 */
export const migrations: readonly Migration[] = [initial];
