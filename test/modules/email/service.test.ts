// EmailAddresses called directly on both engines, with a clock the test moves: what a confirmation returns and
// records, what a disabled account's link is worth, which wrong proofs are counted and recorded (and which are not
// even looked at), and the refusals of a change of address before anything is written.
import { expect, it } from 'vitest';
import { EmailError } from '../../../src/modules/email/index.js';
import { InvalidEmailError } from '../../../src/modules/users/index.js';
import type { Sesame } from '../../../src/sesame.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { useServices } from '../../support/in-process.js';
import { mailedCode } from '../../support/smtp.js';

const T0 = 1_780_000_000_000;
const PASSWORD = 'a long enough passphrase';

describeEngines('the email service', (engine) => {
  const storage = useFreshStorage(engine);
  let now = T0;
  const build = useServices(storage, { REQUIRE_EMAIL_VERIFICATION: 'true', MAIL_FROM: 'auth@example.com' }, () => now);

  /** Registers an account and returns it with the token and code of its verification message (read from the outbox). */
  async function registered(sesame: Sesame, email: string): Promise<{ id: number; token: string; code: string }> {
    const user = await sesame.password.registration.register(email, PASSWORD);
    const rows = await sesame.storage.kysely.selectFrom('mail_outbox').select('id').where('recipient', '=', email).orderBy('id', 'desc').execute();
    const message = await sesame.mail.find(rows[0]?.id ?? 0);
    const text = message?.text_body ?? '';
    return { id: user.id, token: /token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '', code: mailedCode(text) ?? '' };
  }

  /** Event types recorded for an account, oldest first. */
  async function eventsOf(sesame: Sesame, userId: number): Promise<Array<{ type: string; detail: unknown }>> {
    const events = await sesame.accounts.eventsOf(userId, { limit: 50, offset: 0 });
    return events.reverse().map((event) => ({ type: event.type, detail: event.detail }));
  }

  it('confirms with the token: the account as it is now, verified at the clock\'s time, and an email.verified event', async () => {
    now = T0;
    const sesame = await build();
    const { id, token } = await registered(sesame, 'ada@example.io');
    now = T0 + 5000;
    const confirmed = await sesame.email.confirm({ token }, { actor: 'user', ip: '203.0.113.5' });
    expect(confirmed.outcome).toBe('verified');
    expect(confirmed.user).toMatchObject({ id, email: 'ada@example.io', email_verified_at: T0 + 5000, updated_at: T0 + 5000 });
    const row = await sesame.storage.kysely.selectFrom('users').select(['email_verified_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(Number(row.email_verified_at)).toBe(T0 + 5000);
    expect((await eventsOf(sesame, id)).map((event) => event.type)).toEqual(['account.created', 'email.verified']);
  });

  it('refuses a disabled account\'s live link and code, and verifies nothing', async () => {
    now = T0;
    const sesame = await build();
    const { id, token, code } = await registered(sesame, 'off@example.io');
    await sesame.accounts.disable(id, 'test', { actor: 'cli:test' });
    await expect(sesame.email.confirm({ token })).rejects.toMatchObject({ code: 'email.token_invalid' });
    await expect(sesame.email.confirm({ email: 'off@example.io', code })).rejects.toBeInstanceOf(EmailError);
    const row = await sesame.storage.kysely.selectFrom('users').select('email_verified_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.email_verified_at).toBeNull();
  });

  it('records a wrong code as email.verify_failed; a code of the wrong shape or for no account is not even looked up', async () => {
    now = T0;
    const sesame = await build();
    const { id, code } = await registered(sesame, 'guess@example.io');
    const wrong = code === '1111-1111' ? '2222-2222' : '1111-1111';
    await expect(sesame.email.confirm({ email: 'guess@example.io', code: wrong })).rejects.toMatchObject({ code: 'email.token_invalid' });
    await expect(sesame.email.confirm({ email: 'guess@example.io', code: 'not-a-code' })).rejects.toMatchObject({ code: 'email.token_invalid' });
    await expect(sesame.email.confirm({ email: 'guess@example.io', code: '1234567' })).rejects.toMatchObject({ code: 'email.token_invalid' });
    await expect(sesame.email.confirm({ email: 'nobody@example.io', code })).rejects.toMatchObject({ code: 'email.token_invalid' });
    expect(await eventsOf(sesame, id)).toEqual([
      { type: 'account.created', detail: null },
      { type: 'email.verify_failed', detail: { reason: 'wrong-code' } },
    ]);
    // One guess counted against the token (the malformed ones were not guesses), four left for the right code.
    const tokens = await sesame.storage.kysely.selectFrom('verification_tokens').select('attempts').where('user_id', '=', id).execute();
    expect(tokens.map((token) => token.attempts)).toEqual([1]);
    expect((await sesame.email.confirm({ email: ' GUESS@example.io ', code: code.replace('-', ' ') })).outcome).toBe('verified');
  });

  it('refuses a change to a malformed, taken or the same address before writing anything, and a wrong password with an event', async () => {
    now = T0;
    const sesame = await build();
    const { id, token } = await registered(sesame, 'mover@example.io');
    await sesame.email.confirm({ token });
    await registered(sesame, 'taken@example.io');
    const loggedIn = await sesame.password.login.login('mover@example.io', PASSWORD, undefined);
    const session = await sesame.sessions.validate(loggedIn?.sessionId);
    if (session === null || session === undefined) throw new Error('no session');
    const before = await sesame.storage.kysely.selectFrom('mail_outbox').select('id').execute();
    await expect(sesame.email.requestChange(session, PASSWORD, 'not an address')).rejects.toBeInstanceOf(InvalidEmailError);
    await expect(sesame.email.requestChange(session, PASSWORD, ' TAKEN@example.io')).rejects.toMatchObject({ code: 'users.email_taken' });
    await expect(sesame.email.requestChange(session, PASSWORD, 'Mover@Example.io')).rejects.toMatchObject({ code: 'email.unchanged' });
    await expect(sesame.email.requestChange(session, 'wrong password', 'free@example.io')).rejects.toMatchObject({ code: 'email.password_wrong' });
    expect(await sesame.storage.kysely.selectFrom('mail_outbox').select('id').execute()).toEqual(before);
    expect(await sesame.storage.kysely.selectFrom('verification_tokens').select('id').where('purpose', '=', 'email_change').execute()).toEqual([]);
    expect((await eventsOf(sesame, id)).map((event) => event.type)).toEqual(['account.created', 'email.verified', 'login.succeeded', 'email.change_failed']);
  });

  it('sets the language, recorded with the language it set', async () => {
    now = T0;
    const sesame = await build();
    const { id } = await registered(sesame, 'lang@example.io');
    const user = await sesame.users.findByEmail('lang@example.io');
    if (user === undefined) throw new Error('no user');
    await sesame.email.setLanguage(user, 'fr', { actor: 'user' });
    expect((await sesame.users.findByEmail('lang@example.io'))?.language).toBe('fr');
    expect((await eventsOf(sesame, id)).at(-1)).toEqual({ type: 'email.language_changed', detail: { language: 'fr' } });
    expect(sesame.email.requireVerification).toBe(true);
    expect(sesame.email.sendsVerification).toBe(true);
  });
});
