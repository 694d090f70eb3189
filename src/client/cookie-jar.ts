/**
 * The smallest cookie jar that carries a Sesame session in Node: Node's `fetch` (undici) has no cookie store, so a
 * client there would forget the session the moment the login answers. Browsers keep cookies themselves and never
 * need this (nor let a page read `Set-Cookie`).
 * @module
 */

/** One remembered cookie: its value and when it stops being sent (ms since the epoch; undefined for a session cookie). */
interface Kept {
  readonly value: string;
  readonly expiresAt: number | undefined;
}

/**
 * Cookies one client received from its one server, by name. Deliberately not a general jar: the client only ever
 * talks to its `baseUrl`, so `Domain` and `Path` could never select a different set, and `Secure` could not stop a
 * leak either (the scheme is fixed, so the server that set the cookie is the only one it goes back to). What is kept
 * is exactly what a browser would send back there: by the name the `Set-Cookie` line gives (`session_id`, or
 * `__Host-session_id` in production, or whatever `COOKIE_NAME` says), dropped when the server clears it (logout, a
 * password change, ending this session) or when its `Max-Age`/`Expires` passes.
 */
export class CookieJar {
  readonly #cookies = new Map<string, Kept>();
  readonly #now: () => number;

  /** Builds an empty jar; `now` is the clock expiry is judged by (tests pass their own). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Takes in one `Set-Cookie` line: remembers the cookie it sets, or forgets it when the line clears or expires it. */
  store(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return; // No name: browsers ignore such a line too.
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let expiresAt: number | undefined;
    let maxAgeSeen = false;
    for (const attribute of attributes) {
      const [key = '', ...rest] = attribute.split('=');
      const attributeValue = rest.join('=').trim();
      const lower = key.trim().toLowerCase();
      // Max-Age wins over Expires (RFC 6265 5.3 step 3), whichever comes first on the line.
      if (lower === 'max-age' && /^-?\d+$/.test(attributeValue)) {
        maxAgeSeen = true;
        expiresAt = this.#now() + Number(attributeValue) * 1000;
      } else if (lower === 'expires' && !maxAgeSeen) {
        const at = Date.parse(attributeValue);
        if (!Number.isNaN(at)) expiresAt = at;
      }
    }
    if (value === '' || (expiresAt !== undefined && expiresAt <= this.#now())) this.#cookies.delete(name);
    else this.#cookies.set(name, { value, expiresAt });
  }

  /** The `Cookie` header to send, or undefined when nothing live is kept (expired cookies are dropped here). */
  header(): string | undefined {
    const now = this.#now();
    const pairs: string[] = [];
    for (const [name, { value, expiresAt }] of this.#cookies) {
      if (expiresAt !== undefined && expiresAt <= now) this.#cookies.delete(name);
      else pairs.push(`${name}=${value}`);
    }
    return pairs.length === 0 ? undefined : pairs.join('; ');
  }

  /** The value kept for one cookie name, or undefined: for callers that hand the session on (e.g. to another process). */
  get(name: string): string | undefined {
    const kept = this.#cookies.get(name);
    if (kept === undefined) return undefined;
    if (kept.expiresAt !== undefined && kept.expiresAt <= this.#now()) {
      this.#cookies.delete(name);
      return undefined;
    }
    return kept.value;
  }

  /** Forgets every cookie: a fresh start without logging out (the server-side session stays live until it expires). */
  clear(): void {
    this.#cookies.clear();
  }
}
