import type { ForwardMethod } from "../sidecar/forward-policy.js";

/**
 * One route of a plugin's route table, as the plugin's contract module declares it
 * (`sidecar/plugins/<id>-common/src/routes.ts`): an Express path template below the
 * plugin's base path, where `:name` is one path segment.
 */
export interface PluginRoute {
  readonly method: ForwardMethod;
  readonly path: string;
  readonly description: string;
  readonly query?: ReadonlyArray<{ readonly name: string; readonly required: boolean; readonly description: string }>;
  readonly exampleResponse?: string;
}

/** The `:name` parameters of a path template, as an object type. */
export type PathParams<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? { readonly [K in Name]: string } & PathParams<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? { readonly [K in Name]: string }
    : Record<never, string>;

/**
 * The path of a route with its parameters filled in. Every value is percent-encoded,
 * so no value can add a segment, a query or a fragment, or climb out with "." / "..",
 * whatever validation let through.
 */
export function pathOf<Path extends string>(template: Path, params: PathParams<Path>): string {
  const values = params as Readonly<Record<string, string>>;
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => segment(values[name]));
}

function segment(value: string | undefined): string {
  if (value === undefined || value === "") throw new Error("a path segment must not be empty");
  // encodeURIComponent keeps dots; a segment of dots only would be a relative path step.
  return /^\.+$/.test(value) ? value.replace(/\./g, "%2E") : encodeURIComponent(value);
}

/**
 * A query with the empty values left out (the plugins read "absent" and "" alike as
 * "not given") and sorted by name, so equal requests share one cache entry.
 */
export function queryOf(params: Readonly<Record<string, string | number | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== "")
      .map(([name, value]) => [name, String(value)] as [string, string])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** A route table as the catalogue's `endpoints` (GetPlugin): OpenAPI-style `{name}` templates. */
export function endpointsOf(routes: Readonly<Record<string, PluginRoute>>) {
  return Object.values(routes).map((route) => ({
    path: route.path.replace(/:([A-Za-z]+)/g, "{$1}"),
    method: route.method,
    description: route.description,
    parameters: (route.query ?? []).map((parameter) => ({ ...parameter, type: "string" })),
    exampleResponse: route.exampleResponse ?? "",
  }));
}
