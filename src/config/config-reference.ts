import { settings } from "./settings.js";
import type { Setting } from "./settings.js";

export const TABLE_START = "<!-- config-table:start -->";
export const TABLE_END = "<!-- config-table:end -->";

/** The README's configuration table, rendered from the settings the code validates. */
export function renderConfigTable(): string {
  const rows = (Object.values(settings) as Setting[]).map(
    (setting) => `| \`${setting.env}\` | ${setting.defaultText ?? "(unset)"} | ${setting.description} |`,
  );
  return ["| Variable | Default | Meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** Replaces the table between the markers of a README text. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}
