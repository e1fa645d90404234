/**
 * Runs a cross-workspace battery's attempts one after the other and answers the names of those whose
 * answer (as JSON) or error message shows what `leaks` looks for.
 */
export async function attemptsThatLeak(
  attempts: readonly (readonly [string, () => Promise<unknown>])[],
  leaks: (seen: string) => boolean,
): Promise<string[]> {
  const leaked: string[] = [];
  for (const [name, attempt] of attempts) {
    let seen: string;
    try {
      seen = JSON.stringify(await attempt());
    } catch (error) {
      seen = String((error as Error).message);
    }
    if (leaks(seen)) leaked.push(name);
  }
  return leaked;
}
