/**
 * A numeric command-line option: `--name=value` (e.g. `npm run bench -- --seconds=30`),
 * else the fallback. Refuses anything that is not a non-negative number.
 */
export function numberOption(name: string, fallback: number): number {
  const prefix = `--${name}=`;
  const raw = process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, not "${raw}"`);
  return value;
}

/** A command-line option with a fixed set of values: `--name=value`, else the fallback. */
export function choiceOption<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const prefix = `--${name}=`;
  const raw = process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new Error(`--${name} must be one of ${choices.join(", ")}, not "${raw}"`);
  return raw as T;
}

/** A free-text command-line option: `--name=value`, else the fallback. */
export function textOption(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}
