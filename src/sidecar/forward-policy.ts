import { errors } from "../lib/errors.js";

export type ForwardMethod = "GET" | "POST" | "PUT" | "DELETE";
const METHODS: readonly ForwardMethod[] = ["GET", "POST", "PUT", "DELETE"];

/**
 * Request headers a client may pass to a plugin. Everything else is refused by name,
 * so a client can never set authorization, the workspace or user, hop-by-hop or host
 * headers, whatever it puts in the `headers` map.
 */
export const FORWARDABLE_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  "accept",
  "accept-language",
  "content-type",
  "if-match",
  "if-none-match",
  "if-modified-since",
]);

/** Response headers a plugin may pass back to the client. */
export const RETURNABLE_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "cache-control",
  "etag",
  "last-modified",
  "link",
  "retry-after",
]);

const MAX_QUERY_PARAMS = 50;
const MAX_QUERY_TEXT = 1_024;

export function forwardMethod(httpMethod: string): ForwardMethod {
  const method = (httpMethod === "" ? "GET" : httpMethod.toUpperCase()) as ForwardMethod;
  if (!METHODS.includes(method)) throw errors.invalidField("http_method", `must be one of ${METHODS.join(", ")} (empty means GET)`);
  return method;
}

export function forwardHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const allowed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!FORWARDABLE_REQUEST_HEADERS.has(lower)) {
      throw errors.invalidField(`headers["${name}"]`, `cannot be forwarded; allowed: ${[...FORWARDABLE_REQUEST_HEADERS].join(", ")}`);
    }
    if (/[\r\n\u0000]/.test(value)) throw errors.invalidField(`headers["${name}"]`, "must not contain line breaks or NUL");
    allowed[lower] = value;
  }
  return allowed;
}

export function forwardQuery(params: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(params);
  if (entries.length > MAX_QUERY_PARAMS) throw errors.invalidField("query_params", `must have at most ${MAX_QUERY_PARAMS} entries`);
  for (const [name, value] of entries) {
    if (name === "" || name.length + value.length > MAX_QUERY_TEXT) {
      throw errors.invalidField(`query_params["${name.slice(0, 40)}"]`, `needs a name and at most ${MAX_QUERY_TEXT} characters`);
    }
  }
  // Sorted, so equal queries share one cache entry and one coalesced upstream call.
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function forwardBody(method: ForwardMethod, body: Uint8Array, maxBytes: number): Uint8Array | undefined {
  if (body.byteLength === 0) return undefined;
  if (method === "GET" || method === "DELETE") throw errors.invalidField("body", `must be empty for ${method}`);
  if (body.byteLength > maxBytes) throw errors.invalidField("body", `must be at most ${maxBytes} bytes`);
  return body;
}

export function returnableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => RETURNABLE_RESPONSE_HEADERS.has(name.toLowerCase())));
}
