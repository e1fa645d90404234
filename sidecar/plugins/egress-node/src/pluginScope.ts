import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which plugin the running code serves, so that a refused connection is
 * counted against it. The workspace isolation middleware runs every plugin
 * request inside `runInPluginScope`; connections opened outside any plugin
 * request (start-up, timers of stock plugins) count as `unattributed`.
 */
const scope = new AsyncLocalStorage<string>();

export function runInPluginScope<T>(pluginId: string, fn: () => T): T {
  return scope.run(pluginId, fn);
}

export function currentPluginId(): string | undefined {
  return scope.getStore();
}
