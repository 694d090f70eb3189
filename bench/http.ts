/**
 * The few single requests the bench makes outside the load generator: logging in to get a session cookie, and building form bodies.
 * @module
 */

/** A form body as Python `requests` and browsers send it. */
export function form(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(fields).toString();
}

/** Headers of a form POST. */
export const FORM_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/x-www-form-urlencoded' };

/** Logs in through the API and returns the session id from the Set-Cookie header; fails loudly on anything but 200. */
export async function logIn(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/sessions`, { method: 'POST', headers: FORM_HEADERS, body: form({ email, password }) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`bench: login of ${email} answered ${response.status}: ${text}`);
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('session_id='));
  const sessionId = cookie?.slice('session_id='.length).split(';')[0];
  if (sessionId === undefined || sessionId === '') throw new Error('bench: login set no session_id cookie');
  return sessionId;
}

/** Checks that `GET /profile` with the session answers 200 with the user's email, so the load measures the real path. */
export async function checkProfile(baseUrl: string, sessionId: string, email: string): Promise<void> {
  const response = await fetch(`${baseUrl}/profile`, { headers: { cookie: `session_id=${sessionId}` } });
  const text = await response.text();
  if (response.status !== 200 || text !== JSON.stringify({ email })) {
    throw new Error(`bench: GET /profile answered ${response.status} ${text}, expected 200 {"email":"${email}"}`);
  }
}
