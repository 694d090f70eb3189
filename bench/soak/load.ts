/**
 * The soak's mixed load: virtual users that each register, log in, check their profile, list their sessions, log
 * out, ask for a reset token and reset, then start over with a new account, recording every request's route, status,
 * start and end times.
 * @module
 */
import { randomBytes } from 'node:crypto';

/** One request as the soak saw it. */
export interface Sample {
  readonly route: string;
  readonly status: number;
  readonly start: number;
  readonly end: number;
}

/** What the load reads back from an answer. */
interface Answer {
  readonly status: number;
  readonly setCookie: string;
  readonly text: string;
}

/** Sends one form request and records it; undefined (and status 0 in the record) for a connection error. */
async function call(url: string, method: string, path: string, form: Record<string, string> | undefined, cookie: string | undefined, samples: Sample[]): Promise<Answer | undefined> {
  const start = Date.now();
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...(cookie === undefined ? {} : { cookie: `session_id=${cookie}` }) },
      ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
    });
    const text = await response.text();
    samples.push({ route: `${method} ${path}`, status: response.status, start, end: Date.now() });
    return { status: response.status, setCookie: response.headers.get('set-cookie') ?? '', text };
  } catch {
    samples.push({ route: `${method} ${path}`, status: 0, start, end: Date.now() });
    return undefined;
  }
}

/** The session id a login's Set-Cookie carries. */
function sessionOf(answer: Answer | undefined): string | undefined {
  return /session_id=([^;]+)/.exec(answer?.setCookie ?? '')?.[1];
}

/** The reset token in a `POST /reset_password` answer (development delivery), if any. */
function tokenOf(answer: Answer | undefined): string | undefined {
  if (answer?.status !== 200) return undefined;
  try {
    return (JSON.parse(answer.text) as { reset_token?: string }).reset_token;
  } catch {
    return undefined;
  }
}

/** Runs one virtual user until `stop()` says so. */
export async function virtualUser(url: string, stop: () => boolean, samples: Sample[]): Promise<void> {
  while (!stop()) {
    const email = `soak-${randomBytes(6).toString('hex')}@soak.test`;
    const password = `pw-${randomBytes(4).toString('hex')}`;
    await call(url, 'POST', '/users', { email, password }, undefined, samples);
    const session = sessionOf(await call(url, 'POST', '/sessions', { email, password }, undefined, samples));
    for (let i = 0; i < 5 && !stop(); i += 1) await call(url, 'GET', '/profile', undefined, session, samples);
    await call(url, 'GET', '/sessions', undefined, session, samples);
    await call(url, 'DELETE', '/sessions', undefined, session, samples);
    const token = tokenOf(await call(url, 'POST', '/reset_password', { email }, undefined, samples));
    if (token !== undefined) await call(url, 'PUT', '/reset_password', { email, reset_token: token, new_password: `${password}-new` }, undefined, samples);
  }
}
