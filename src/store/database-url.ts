/** "postgres://user@host:5432/db" — a database URL without password or query, for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return "(unparseable database URL)";
  }
}
