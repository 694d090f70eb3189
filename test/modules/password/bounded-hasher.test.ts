// The password-hashing queue is bounded: past BCRYPT_QUEUE_MAX hashes and comparisons waiting or running, logins
// and registrations are shed at once with 503 server.overloaded and Retry-After, while session checks (which need no
// hashing) are served as usual; when the queue drains, logins are served again.
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { OverloadedError } from '../../../src/kernel/overload.js';
import { BcryptHasher, BoundedHasher, type PasswordHasher } from '../../../src/modules/password/index.js';
import { send, uniqueEmail } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

/** A real bcrypt hasher whose comparisons all wait, once held, until the test lets them go. */
class HeldHasher extends BcryptHasher implements PasswordHasher {
  #gate: Promise<void> | undefined;
  #open: () => void = () => undefined;
  waiting = 0;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#gate = undefined;
    this.#open();
  }

  override async verify(password: string, hash: string): Promise<boolean> {
    if (this.#gate !== undefined) {
      this.waiting += 1;
      await this.#gate;
      this.waiting -= 1;
    }
    return super.verify(password, hash);
  }
}

describe('BoundedHasher', () => {
  it('refuses past its bound at once, counts an operation until it ends (failed or not), and has room again after', async () => {
    const inner = new HeldHasher(4);
    const bounded = new BoundedHasher(inner, 2);
    const hash = await bounded.hash('pw');
    expect(bounded.inFlight).toBe(0);
    inner.hold();
    const first = bounded.verify('pw', hash);
    const second = bounded.verify('nope', hash);
    expect(bounded.inFlight).toBe(2);
    const refused = await bounded.verify('pw', hash).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused).toMatchObject({ code: 'server.overloaded', retryAfterSeconds: 2, message: 'over capacity: password hashing queue' });
    await expect(bounded.hash('other')).rejects.toBeInstanceOf(OverloadedError);
    inner.release();
    expect(await first).toBe(true);
    expect(await second).toBe(false);
    expect(bounded.inFlight).toBe(0);
    // A comparison that fails (a malformed hash) frees its place too.
    expect(await bounded.verify('pw', 'not a bcrypt hash')).toBe(false);
    expect(bounded.inFlight).toBe(0);
    expect(bounded.needsRehash(hash)).toBe(false);
  });
});

describe('BCRYPT_QUEUE_MAX over HTTP', () => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('sheds logins past the bound with 503 and Retry-After while session checks are served; drained, logins work again', async () => {
    const hasher = new HeldHasher(4);
    service = await startService({ BCRYPT_QUEUE_MAX: '2', RATE_LIMIT_ENABLED: 'false' }, { hasher });
    const running = service;
    const email = uniqueEmail('shed');
    expect((await send(running.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    const session = (await send(running.url, 'POST', '/sessions', { form: { email, password: 'pw' } })).sessionId ?? '';

    hasher.hold();
    // Let held comparisons go even if an assertion fails, or stopping the service would wait for them.
    onTestFailed(() => hasher.release());
    const held = [send(running.url, 'POST', '/sessions', { form: { email, password: 'pw' } }), send(running.url, 'POST', '/sessions', { form: { email, password: 'pw' } })];
    while (hasher.waiting < 2) await new Promise((wake) => setTimeout(wake, 5));

    const shed = await send(running.url, 'POST', '/sessions', { form: { email, password: 'pw' } });
    expect(shed.status).toBe(503);
    expect(shed.headers['sesame-error']).toBe('server.overloaded');
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.json).toEqual({ message: 'the service is over capacity right now: try again in a few seconds' });
    expect(shed.sessionId).toBeUndefined();
    // A registration needs a hash: shed too, and it creates nothing.
    const newcomer = uniqueEmail('shed-new');
    expect((await send(running.url, 'POST', '/users', { form: { email: newcomer, password: 'pw' } })).status).toBe(503);
    expect(await running.sesame.users.findByEmail(newcomer)).toBeUndefined();
    const profile = await send(running.url, 'GET', '/profile', { sessionId: session });
    expect(profile.status).toBe(200);

    hasher.release();
    for (const reply of await Promise.all(held)) expect(reply.status).toBe(200);
    expect((await send(running.url, 'POST', '/sessions', { form: { email, password: 'pw' } })).status).toBe(200);
  });
});
