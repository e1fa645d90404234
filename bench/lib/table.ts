/** A plain-text table with right-aligned numbers, for terminals and for pasting into Markdown code blocks. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

/** Milliseconds with two decimals; "n/a" for a missing figure. */
export function ms(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(2);
}

/** A signed difference in milliseconds. */
export function signedMs(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "n/a";
  return `${value >= 0 ? "+" : ""}${value.toFixed(2)}`;
}
