/**
 * Where the sign-in page may send a person afterwards (`return_to`): a path on this origin, or a URL on an origin the
 * operator listed (`TRUSTED_ORIGINS`, `PUBLIC_URL`'s origin). Anything else is dropped, not followed, because an
 * open redirect on a sign-in page is how phishing borrows a trusted name (ASVS V5.1.5). The check parses the value the
 * way a browser will (WHATWG URL) and redirects to what it parsed, so a form that browsers read differently from a
 * naive prefix test (`//evil.example`, `/\evil.example`, `https:evil.example`, `https://trusted.example@evil.example`)
 * cannot slip through.
 * @module
 */

/** Longer than any honest return address; a longer one is refused without parsing. */
const MAX_LENGTH = 2048;

/** A base no real request has, to resolve a path against and see whether it stayed on the same origin. */
const PROBE_ORIGIN = 'http://return-to.invalid';

/** Control characters, spaces and backslashes: browsers strip or reinterpret them, so none is accepted anywhere. */
function hasUnsafeCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/**
 * The address to send a person to after sign-in, or undefined when `value` is missing or not allowed. A path comes
 * back as given (same origin); an absolute URL on an allowed origin comes back normalised by the URL parser.
 */
export function safeReturnTo(value: string | undefined, allowedOrigins: readonly string[]): string | undefined {
  if (value === undefined || value === '' || value.length > MAX_LENGTH || hasUnsafeCharacter(value)) return undefined;
  if (value.startsWith('/')) {
    // `//host` is a network-path reference to another origin; everything else starting with one slash is a path.
    if (value.startsWith('//')) return undefined;
    let resolved: URL;
    try {
      resolved = new URL(value, PROBE_ORIGIN);
    } catch {
      return undefined;
    }
    return resolved.origin === PROBE_ORIGIN ? `${resolved.pathname}${resolved.search}${resolved.hash}` : undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  // The raw text must spell the origin as the parser read it: `https:evil.example` parses, but is not how a listed
  // origin is written, and a scheme-relative trick should not be rescued by normalisation.
  if (!value.toLowerCase().startsWith(`${url.origin.toLowerCase()}/`) && value.toLowerCase() !== url.origin.toLowerCase()) return undefined;
  return allowedOrigins.includes(url.origin) ? url.href : undefined;
}
