import { errors } from "../lib/errors.js";

const MAX_PATH_LENGTH = 2_048;
/** Characters allowed literally in a path segment (RFC 3986 pchar, minus "%"). */
const SEGMENT_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;
/** What a percent-escape may stand for: anything that cannot change the path's shape. */
const FORBIDDEN_DECODED = /[/\\%.?#\u0000-\u001f\u007f]/;
/**
 * Segments some servers read as "." or ".." although they are not: `..;x` and
 * `.;x` (Tomcat and others drop `;` path parameters), and `..anything`.
 */
const DOT_PREFIXED = /^(?:\.\.|\.;)/;
/** Percent-escapes must spell UTF-8: overlong forms (%c0%ae), lone bytes and surrogates are refused. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/**
 * Dot, slash and backslash look-alikes: what NFKC folds into ".", "/" or "\"
 * (one dot leader, fullwidth full stop, fullwidth solidus, ...) and the full
 * stops and slashes that NFKC leaves alone but that read as ".", "/" or "\\"
 * (ideographic full stop, division slash, fraction slash, set minus, ...).
 */
const LOOK_ALIKES = /[\u00b7\u0589\u06d4\u1362\u2027\u2044\u2215\u2216\u2219\u22c5\u29f5\u29f8\u29f9\u2e3c\u3002\ufe12\uff61]/u;
const looksLikeDotOrSlash = (char: string) => LOOK_ALIKES.test(char) || /[./\\]/.test(char.normalize("NFKC"));

/** The segment with its percent-escapes decoded as UTF-8; undefined when they are not valid UTF-8. */
function decodeSegment(segment: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] === "%") {
      bytes.push(Number.parseInt(segment.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(segment.charCodeAt(i));
    }
  }
  try {
    return UTF8.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/**
 * Normalises a client's endpoint_path and confines it below the plugin's base path.
 * Anything that could climb out of it or reach another host is refused rather than
 * "cleaned": `..` and `.` segments, segments starting with `..` or `.;` (`/..;/x`),
 * empty segments (`//host`), absolute URLs, backslashes, control characters,
 * `?`/`#`, percent-escapes of any of these (so double encoding such as `%252e` is
 * refused too), percent-escapes that are not valid UTF-8 (`%c0%ae`), and Unicode
 * look-alikes of ".", "/" and "\\" (`%e2%80%a5`, `%ef%bc%8e`).
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
    if (DOT_PREFIXED.test(segment)) throw refuse('must not contain segments starting with ".." or ".;"');
    const literal = segment.replace(/%[0-9A-Fa-f]{2}/g, "");
    if (!SEGMENT_CHARS.test(literal)) {
      throw refuse("may contain only letters, digits, -._~!$&'()*+,;=:@ and percent-escapes (no \\, ?, #, spaces or control characters)");
    }
    for (const escape of segment.match(/%[0-9A-Fa-f]{2}/g) ?? []) {
      if (FORBIDDEN_DECODED.test(String.fromCharCode(Number.parseInt(escape.slice(1), 16)))) {
        throw refuse(`must not percent-encode "/", "\\", ".", "%", "?", "#" or control characters (found ${escape})`);
      }
    }
    const decoded = decodeSegment(segment);
    if (decoded === undefined) throw refuse("must percent-encode valid UTF-8 only (no overlong forms such as %c0%ae)");
    if ([...decoded].some((char) => char.charCodeAt(0) > 0x7f && looksLikeDotOrSlash(char))) {
      throw refuse('must not contain Unicode look-alikes of ".", "/" or "\\"');
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
