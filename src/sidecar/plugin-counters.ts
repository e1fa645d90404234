/** This replica's request and error counts per plugin, reported in PluginStatus. */
export interface PluginCounters {
  request(pluginId: string): void;
  error(pluginId: string): void;
  of(pluginId: string): { readonly requests: number; readonly errors: number };
}

export function createPluginCounters(): PluginCounters {
  const counts = new Map<string, { requests: number; errors: number }>();
  const entry = (pluginId: string) => {
    let found = counts.get(pluginId);
    if (!found) {
      found = { requests: 0, errors: 0 };
      counts.set(pluginId, found);
    }
    return found;
  };
  return {
    request: (pluginId) => void entry(pluginId).requests++,
    error: (pluginId) => void entry(pluginId).errors++,
    of: (pluginId) => ({ ...entry(pluginId) }),
  };
}
