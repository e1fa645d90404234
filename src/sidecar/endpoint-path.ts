import { errors } from "../lib/errors.js";

const MAX_PATH_LENGTH = 2_048;
/** Characters allowed literally in a path segment (RFC 3986 pchar, minus "%"). */
const SEGMENT_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;
/** What a percent-escape may stand for: anything that cannot change the path's shape. */
const FORBIDDEN_DECODED = /[/\\%.?#\u0000-\u001f\u007f]/;

/**
 * Normalises a client's endpoint_path and confines it below the plugin's base path.
 * Anything that could climb out of it or reach another host is refused rather than
 * "cleaned": `..` and `.` segments, empty segments (`//host`), absolute URLs,
 * backslashes, control characters, `?`/`#`, and percent-escapes of any of these
 * (so double encoding such as `%252e` is refused too).
 */
export function confineEndpointPath(basePath: string, endpointPath: string): string {
  const path = endpointPath === "" ? "/" : endpointPath;
  const refuse = (why: string) => errors.invalidField("endpoint_path", why);
  if (path.length > MAX_PATH_LENGTH) throw refuse(`must be at most ${MAX_PATH_LENGTH} characters`);
  if (!path.startsWith("/")) throw refuse('must start with "/" and be relative to the plugin (no scheme or host)');
  const segments = path.slice(1).split("/");
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "" && !last) throw refuse("must not contain empty segments (//)");
    if (segment === "." || segment === "..") throw refuse('must not contain "." or ".." segments');
    const literal = segment.replace(/%[0-9A-Fa-f]{2}/g, "");
    if (!SEGMENT_CHARS.test(literal)) {
      throw refuse("may contain only letters, digits, -._~!$&'()*+,;=:@ and percent-escapes (no \\, ?, #, spaces or control characters)");
    }
    for (const escape of segment.match(/%[0-9A-Fa-f]{2}/g) ?? []) {
      if (FORBIDDEN_DECODED.test(String.fromCharCode(Number.parseInt(escape.slice(1), 16)))) {
        throw refuse(`must not percent-encode "/", "\\", ".", "%", "?", "#" or control characters (found ${escape})`);
      }
    }
  });
  const confined = `${basePath}${path === "/" ? "" : path}`;
  // Defence in depth: a URL parser must agree that the result stays below the base path.
  const resolved = new URL(confined, "http://sidecar.invalid").pathname;
  if (resolved !== confined || !(resolved === basePath || resolved.startsWith(`${basePath}/`))) {
    throw refuse("resolves outside the plugin's base path");
  }
  return confined;
}
