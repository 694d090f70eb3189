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
    expect((await eventsOf(sesame, id)).slice(1)).toEqual([
      { type: 'email.verified', detail: null },
      { type: 'login.succeeded', detail: null },
      { type: 'email.change_failed', detail: { reason: 'wrong-password' } },
    ]);
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

  it('records a resend with its reason, and sends nothing for an address already verified', async () => {
    now = T0;
    const sesame = await build();
    const { id, token } = await registered(sesame, 'again@example.io');
    await sesame.email.resend(' AGAIN@example.io ', { actor: 'user' });
    expect((await eventsOf(sesame, id)).at(-1)).toEqual({ type: 'email.verification_sent', detail: { resend: true } });
    const sent = await sesame.storage.kysely.selectFrom('mail_outbox').select('kind').where('recipient', '=', 'again@example.io').execute();
    expect(sent.map((row) => row.kind)).toEqual(['email_verify', 'email_verify']);
    await sesame.email.confirm({ token });
    await sesame.email.resend('again@example.io');
    expect(await sesame.storage.kysely.selectFrom('mail_outbox').select('kind').where('recipient', '=', 'again@example.io').execute()).toHaveLength(2);
  });
});

describeEngines('the reset flow\'s code path', (engine) => {
  const storage = useFreshStorage(engine);
  let now = T0;
  const build = useServices(storage, { RESET_TOKEN_DELIVERY: 'email', MAIL_FROM: 'auth@example.com' }, () => now);

  /** Asks for a reset and returns the code of its message. */
  async function resetCode(sesame: Sesame, email: string): Promise<string> {
    await sesame.password.reset.request(email);
    const rows = await sesame.storage.kysely.selectFrom('mail_outbox').select('id').where('kind', '=', 'password_reset').orderBy('id', 'desc').execute();
    return mailedCode((await sesame.mail.find(rows[0]?.id ?? 0))?.text_body ?? '') ?? '';
  }

  /** The guesses counted against the account's reset tokens. */
  async function attempts(sesame: Sesame): Promise<number[]> {
    const rows = await sesame.storage.kysely.selectFrom('verification_tokens').select('attempts').where('purpose', '=', 'password_reset').execute();
    return rows.map((row) => row.attempts);
  }

  it('resets with the code and the email: the password-changed notice follows and the address counts as verified', async () => {
    now = T0;
    const sesame = await build();
    const user = await sesame.password.registration.register('coded@example.io', PASSWORD);
    const code = await resetCode(sesame, 'coded@example.io');
    expect(code).toMatch(/^\d{4}-\d{4}$/);
    await sesame.password.reset.reset(code, 'a brand new passphrase', 'coded@example.io');
    expect(await sesame.password.login.verify('coded@example.io', 'a brand new passphrase')).not.toBeNull();
    const kinds = await sesame.storage.kysely.selectFrom('mail_outbox').select('kind').orderBy('id').execute();
    expect(kinds.map((row) => row.kind)).toEqual(['password_reset', 'password_changed']);
    expect((await sesame.users.findByEmail('coded@example.io'))?.email_verified_at).not.toBeNull();
    expect((await eventsOfUser(sesame, user.id)).at(-1)).toEqual({ type: 'password.reset', detail: { sessionsEnded: 0 } });
  });

  it('counts a wrong code as a guess; a token-shaped guess, an unknown email and a call without an email count nothing', async () => {
    now = T0;
    const sesame = await build();
    await sesame.password.registration.register('counted@example.io', PASSWORD);
    const code = await resetCode(sesame, 'counted@example.io');
    const wrong = code === '1111-1111' ? '2222-2222' : '1111-1111';
    await expect(sesame.password.reset.reset(wrong, 'a brand new passphrase', 'counted@example.io')).rejects.toMatchObject({ code: 'reset.token_invalid' });
    expect(await attempts(sesame)).toEqual([1]);
    await expect(sesame.password.reset.reset('00000000-0000-4000-8000-000000000000', 'a brand new passphrase', 'counted@example.io')).rejects.toMatchObject({ code: 'reset.token_invalid' });
    await expect(sesame.password.reset.reset(code, 'a brand new passphrase', 'nobody@example.io')).rejects.toMatchObject({ code: 'reset.token_invalid' });
    await expect(sesame.password.reset.reset(code, 'a brand new passphrase')).rejects.toMatchObject({ code: 'reset.token_invalid' });
    expect(await attempts(sesame)).toEqual([1]);
    // The right code still works after one wrong guess.
    await sesame.password.reset.reset(code, 'a brand new passphrase', 'counted@example.io');
    expect(await sesame.password.login.verify('counted@example.io', 'a brand new passphrase')).not.toBeNull();
  });

  /** Event types and details of an account, oldest first. */
  async function eventsOfUser(sesame: Sesame, userId: number): Promise<Array<{ type: string; detail: unknown }>> {
    const events = await sesame.accounts.eventsOf(userId, { limit: 50, offset: 0 });
    return events.reverse().map((event) => ({ type: event.type, detail: event.detail }));
  }
});
