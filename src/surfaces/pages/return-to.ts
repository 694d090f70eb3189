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
 * The address to send a person to after sign-in, or undefined when `value` is missing or not allowed. A path (it
 * starts with one `/`) must stay on this origin once parsed, and comes back as parsed; any other value must parse as
 * an absolute URL on an allowed origin, without credentials, and comes back normalised by the parser. The origin
 * comparison is the check that matters: `//evil.example`, `/\evil.example` (a backslash is refused outright) and
 * `https:evil.example` all parse to another origin.
 */
export function safeReturnTo(value: string | undefined, allowedOrigins: readonly string[]): string | undefined {
  if (value === undefined || value.length > MAX_LENGTH || hasUnsafeCharacter(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return undefined;
  }
  if (url.origin === PROBE_ORIGIN) return value.startsWith('/') ? `${url.pathname}${url.search}${url.hash}` : undefined;
  // Credentials in a return address are never honest (`https://trusted.example@evil.example` is the classic trick,
  // and a listed host with a user name is no better): refused even on an allowed origin.
  if (url.username !== '' || url.password !== '') return undefined;
  return allowedOrigins.includes(url.origin) ? url.href : undefined;
}
