import type { CatalogueEntry } from "../catalogue/catalogue.js";
import { errors } from "../lib/errors.js";
import { memoByIdentity } from "../lib/identity-memo.js";
import type { Invocation, PluginForwarder } from "../sidecar/plugin-forwarder.js";
import type { PluginRoute } from "./plugin-route.js";

/**
 * JSON bodies to and from plugins. A plugin's answer is read as its contract's
 * shape but never trusted: mappers read every field through `text` and friends,
 * so a missing or mistyped field becomes the proto default, not a crash.
 */

/**
 * A plugin's 200 answer as JSON; anything else is the plugin's fault (INTERNAL, no body echoed).
 * Parsed once per body: a cached answer's body is the same bytes on every hit, so its parse is
 * shared by those calls (mappers only read it).
 */
export function parsePluginJson<T>(pluginId: string, body: Uint8Array): T {
  const parsed = parsedJson(body);
  if (parsed === undefined) throw errors.pluginAnswerNotJson(pluginId);
  return parsed as T;
}

const parsedJson = memoByIdentity((body: Uint8Array): object | undefined => {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
});

export function jsonBody(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** A string field of a plugin's answer, "" when absent or not a string. */
export const text = (value: unknown): string => (typeof value === "string" ? value : "");

/**
 * A GET of a parameterless route of a plugin's contract through the forwarder (cached
 * like every GET), its 200 answer read as the route's JSON shape.
 */
export async function getRouteJson<T>(
  forwarder: PluginForwarder,
  entry: CatalogueEntry,
  route: PluginRoute & { readonly method: "GET" },
  query: Record<string, string>,
  invocation: Invocation,
): Promise<T> {
  const { response } = await forwarder.send(
    entry,
    { method: route.method, path: `${entry.apiBasePath}${route.path}`, query, headers: { accept: "application/json" } },
    invocation,
  );
  return parsePluginJson<T>(entry.id, response.body);
}
