/**
 * Who may sign up (issue 35), on both engines, over real HTTP: each `REGISTRATION` mode through `POST /users` and the
 * sign-up page; invitations mailed through the outbox, stored hashed, single-use (two racing sign-ups, one account),
 * expiring (the injected clock crosses `INVITATION_TTL`) and bound to their address; the domain list; and the
 * proof-of-work challenge solved by a client as README says, refused when missing, forged, replayed or too old.
 * Refusals answer alike for an address that has an account and one that has not.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { solveChallenge } from 'altcha-lib/v1';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/bin/app.js';
import { loadConfig } from '../../../src/config.js';
import { hashToken } from '../../../src/kernel/tokens.js';
import type { MailTransport, OutboxMessage } from '../../../src/modules/mail/index.js';
import { InvitationUndeliverableError, KyselySignupStore, ProofOfWork, Signup, type ProofChallenge } from '../../../src/modules/signup/index.js';
import { createSesame, type Sesame } from '../../../src/sesame.js';
import { buildAdminServer } from '../../../src/surfaces/admin/server.js';
import { describeEngines, type TestStorage } from '../../support/engines.js';
import { send, type Reply } from '../../support/http.js';
import { problems, SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from '../../support/settings.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0);
const DAY = 86_400_000;
const PASSWORD = 'the quiet librarian hums at noon';

/** A transport that keeps what it is handed, for the dispatcher the test runs by hand. */
class CollectingTransport implements MailTransport {
  readonly sent: OutboxMessage[] = [];

  /** Keeps the message. */
  send(message: OutboxMessage): Promise<{ readonly file?: string }> {
    this.sent.push(message);
    return Promise.resolve({});
  }

  /** Nothing to release. */
  close(): void {}
}

/** A running service with its clock and its mail. */
interface Built {
  readonly url: string;
  readonly sesame: Sesame;
  readonly transport: CollectingTransport;
  /** Moves the service's clock. */
  at(time: number): void;
}

/** Solves a challenge as README tells a JSON client to: find the number, send base64 of the JSON. */
async function solve(challenge: ProofChallenge, tamper: (payload: Record<string, unknown>) => void = () => undefined): Promise<string> {
  const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber).promise;
  if (solution === null) throw new Error('challenge not solved');
  const payload: Record<string, unknown> = { algorithm: challenge.algorithm, challenge: challenge.challenge, number: solution.number, salt: challenge.salt, signature: challenge.signature };
  tamper(payload);
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

describeEngines('who may sign up', (engine) => {
  let storage: TestStorage;
  const closers: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    storage = await engine.open();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await storage.close();
  });

  /** The whole service over this test's database, on a loopback port, its clock the test's. */
  async function build(env: Readonly<Record<string, string>> = {}): Promise<Built> {
    let now = T0;
    const transport = new CollectingTransport();
    const config = loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY: '0', ...SLOW_MACHINE_SCORING, ...SLOW_MACHINE_DATABASE, PUBLIC_URL: 'https://auth.example.com', ...env, PORT: '0', HOST: '127.0.0.1' });
    const sesame = await createSesame(config, { storage, sweeper: false, mailDispatcher: false, mail: { transport }, clock: () => now });
    const app = await buildServer(sesame);
    closers.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, sesame, transport, at: (time) => (now = time) };
  }

  /** Invites `email` as an operator would, delivers the mail, and returns the token its link carries. */
  async function invite(service: Built, email: string): Promise<string> {
    await service.sesame.signup.invite(email, { actor: 'cli:test' });
    await service.sesame.mail.dispatchDue();
    const mail = [...service.transport.sent].reverse().find((message) => message.recipient === email && message.kind === 'invitation');
    const token = /\/account\/signup\?invitation=([A-Za-z0-9_-]+)/.exec(mail?.text_body ?? '')?.[1];
    if (token === undefined) throw new Error(`no invitation mailed to ${email}`);
    return token;
  }

  /** `POST /users` with extra fields. */
  function signUp(service: Built, email: string, extra: Readonly<Record<string, string>> = {}): Promise<Reply> {
    return send(service.url, 'POST', '/users', { json: { email, password: PASSWORD, ...extra } });
  }

  /** The status and refusal code of an answer. */
  function outcome(reply: Reply): { status: number; code: string | undefined } {
    return { status: reply.status, code: reply.headers['sesame-error'] };
  }

  it('open (the development default) takes the seed client unchanged: no invitation, no challenge', async () => {
    const service = await build();
    expect(service.sesame.config.signup).toMatchObject({ mode: 'open', challenge: 'off', domains: [] });
    const reply = await signUp(service, 'seed@example.com');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ email: 'seed@example.com', message: 'user created' });
  });

  it('closed refuses every sign-up alike, taken address or not, while operators still create accounts', async () => {
    const service = await build({ REGISTRATION: 'closed', REQUIRE_EMAIL_VERIFICATION: 'true', MAIL_FROM: 'auth@example.com' });
    await service.sesame.password.registration.register('taken@example.com', PASSWORD, { actor: 'cli:test' }, { emailVerifiedAt: T0 });
    const taken = await signUp(service, 'taken@example.com');
    const fresh = await signUp(service, 'fresh@example.com');
    expect(outcome(taken)).toEqual({ status: 403, code: 'signup.closed' });
    expect(taken.json).toEqual({ message: 'sign-up is closed: ask an administrator for an account' });
    expect(taken.statusText).toBe('FORBIDDEN');
    expect(fresh.text).toBe(taken.text);
    expect(outcome(fresh)).toEqual(outcome(taken));
    expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([{ email: 'taken@example.com' }]);
  });

  it('invite: none without an invitation; the mailed link, for its own address only, creates one verified account, once', async () => {
    const service = await build({ REGISTRATION: 'invite' });
    expect(outcome(await signUp(service, 'guest@example.com'))).toEqual({ status: 403, code: 'signup.invitation_required' });
    const token = await invite(service, 'Guest@Example.com'.toLowerCase());
    // Only its hash is stored.
    const rows = await storage.kysely.selectFrom('invitations').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]).toMatchObject({ email: 'guest@example.com', created_by: 'cli:test', expires_at: T0 + 7 * DAY, consumed_at: null });

    expect(outcome(await signUp(service, 'other@example.com', { invitation: token }))).toEqual({ status: 403, code: 'signup.invitation_invalid' });
    expect(outcome(await signUp(service, 'guest@example.com', { invitation: 'x'.repeat(43) }))).toEqual({ status: 403, code: 'signup.invitation_invalid' });
    const ok = await signUp(service, 'GUEST@example.com', { invitation: token });
    expect(ok.status).toBe(200);
    const user = await storage.kysely.selectFrom('users').select(['email', 'email_verified_at']).executeTakeFirstOrThrow();
    expect(user).toEqual({ email: 'guest@example.com', email_verified_at: T0 });
    expect(outcome(await signUp(service, 'guest@example.com', { invitation: token }))).toEqual({ status: 403, code: 'signup.invitation_invalid' });
    expect((await service.sesame.audit.list({ type: 'invitation.created' })).length).toBe(1);
  });

  it('an invitation expires after INVITATION_TTL', async () => {
    const service = await build({ REGISTRATION: 'invite', INVITATION_TTL: '2d' });
    const token = await invite(service, 'late@example.com');
    service.at(T0 + 2 * DAY);
    expect(outcome(await signUp(service, 'late@example.com', { invitation: token }))).toEqual({ status: 403, code: 'signup.invitation_invalid' });
    service.at(T0 + 2 * DAY - 1);
    expect((await signUp(service, 'late@example.com', { invitation: token })).status).toBe(200);
  });

  it('two sign-ups racing with one invitation make one account', async () => {
    const service = await build({ REGISTRATION: 'invite' });
    const token = await invite(service, 'race@example.com');
    const replies = await Promise.all([signUp(service, 'race@example.com', { invitation: token }), signUp(service, 'race@example.com', { invitation: token })]);
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 403]);
    expect(replies.map((reply) => reply.headers['sesame-error']).filter((code) => code !== undefined)).toEqual(['signup.invitation_invalid']);
    expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([{ email: 'race@example.com' }]);
  });

  it('with verification required, an invitation to an address that has an account answers as one to a new address', async () => {
    const service = await build({ REGISTRATION: 'invite', REQUIRE_EMAIL_VERIFICATION: 'true', MAIL_FROM: 'auth@example.com' });
    await service.sesame.password.registration.register('have@example.com', PASSWORD, { actor: 'cli:test' }, { emailVerifiedAt: T0 });
    const forTaken = await invite(service, 'have@example.com');
    const forNew = await invite(service, 'newb@example.com');
    const taken = await signUp(service, 'have@example.com', { invitation: forTaken });
    const fresh = await signUp(service, 'newb@example.com', { invitation: forNew });
    expect([taken.status, fresh.status]).toEqual([200, 200]);
    expect(taken.message).toBe(fresh.message);
    // Both invitations are spent: the same statements either way.
    expect(await storage.kysely.selectFrom('invitations').select('consumed_at').execute()).toEqual([{ consumed_at: T0 }, { consumed_at: T0 }]);
  });

  it('REGISTRATION_DOMAINS lets only its domains sign up, and an invitation past it', async () => {
    const service = await build({ REGISTRATION_DOMAINS: 'example.com, @Example.org' });
    expect(service.sesame.config.signup.domains).toEqual(['example.com', 'example.org']);
    expect(outcome(await signUp(service, 'me@elsewhere.net'))).toEqual({ status: 403, code: 'signup.domain_not_allowed' });
    expect(outcome(await signUp(service, 'me@sub.example.com'))).toEqual({ status: 403, code: 'signup.domain_not_allowed' });
    expect((await signUp(service, 'Me@EXAMPLE.com')).status).toBe(200);
    expect((await signUp(service, 'you@example.org')).status).toBe(200);
    const token = await invite(service, 'contractor@elsewhere.net');
    expect((await signUp(service, 'contractor@elsewhere.net', { invitation: token })).status).toBe(200);
  });

  it('REGISTRATION_CHALLENGE=all: POST /users wants a solved challenge, once, before it expires', async () => {
    const service = await build({ REGISTRATION_CHALLENGE: 'all', REGISTRATION_CHALLENGE_MAX_NUMBER: '2000', REGISTRATION_CHALLENGE_TTL: '5m' });
    const fetchChallenge = async (): Promise<ProofChallenge> => {
      const reply = await send(service.url, 'GET', '/users/challenge');
      expect(reply.status).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      return reply.json as ProofChallenge;
    };
    expect(outcome(await signUp(service, 'bot@example.com'))).toEqual({ status: 403, code: 'signup.challenge_required' });
    expect(outcome(await signUp(service, 'bot@example.com', { altcha: 'not base64 json' }))).toEqual({ status: 403, code: 'signup.challenge_invalid' });

    const first = await fetchChallenge();
    expect(first).toMatchObject({ algorithm: 'SHA-256', maxnumber: 2000 });
    // A wrong number, a moved expiry and another key's signature are all refused.
    expect(outcome(await signUp(service, 'bot@example.com', { altcha: await solve(first, (p) => (p.number = Number(p.number) + 1)) }))).toEqual({ status: 403, code: 'signup.challenge_invalid' });
    expect(outcome(await signUp(service, 'bot@example.com', { altcha: await solve(first, (p) => (p.salt = String(p.salt).replace(/expires=\d+/, 'expires=9999999999'))) }))).toEqual({ status: 403, code: 'signup.challenge_invalid' });
    expect(outcome(await signUp(service, 'bot@example.com', { altcha: await solve(first, (p) => (p.signature = '0'.repeat(64))) }))).toEqual({ status: 403, code: 'signup.challenge_invalid' });

    const solved = await solve(first);
    expect((await signUp(service, 'person@example.com', { altcha: solved })).status).toBe(200);
    expect(outcome(await signUp(service, 'replay@example.com', { altcha: solved }))).toEqual({ status: 403, code: 'signup.challenge_invalid' });

    const old = await solve(await fetchChallenge());
    service.at(T0 + 5 * 60_000);
    expect(outcome(await signUp(service, 'slow@example.com', { altcha: old }))).toEqual({ status: 403, code: 'signup.challenge_invalid' });
    expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([{ email: 'person@example.com' }]);

    // The sweeper forgets spent challenges once they would be refused as expired anyway.
    expect(await storage.kysely.selectFrom('spent_challenges').select('expires_at').execute()).toEqual([{ expires_at: Math.floor((T0 + 5 * 60_000) / 1000) * 1000 }]);
    expect(await service.sesame.purgeExpired()).toMatchObject({ spentChallenges: 1, invitations: 0 });
  });

  it('REGISTRATION_CHALLENGE=pages asks JSON clients for nothing', async () => {
    const service = await build({ REGISTRATION_CHALLENGE: 'pages' });
    expect((await signUp(service, 'api@example.com')).status).toBe(200);
  });

  it('the sign-up page: a notice when closed or by invitation, the address fixed by an invitation link, one use', async () => {
    const closed = await build({ REGISTRATION: 'closed' });
    const closedPage = await send(closed.url, 'GET', '/account/signup');
    expect(closedPage.status).toBe(200);
    expect(closedPage.text).toContain('Sign-up is closed');
    expect(closedPage.text).not.toContain('<form method="post" action="signup"');
    for (const close of closers.splice(0)) await close();

    const service = await build({ REGISTRATION: 'invite' });
    const page = await send(service.url, 'GET', '/account/signup');
    expect(page.text).toContain('Sign-up is by invitation');
    expect(page.text).not.toContain('name="password"');
    expect((await send(service.url, 'GET', `/account/signup?invitation=${'y'.repeat(43)}`)).status).toBe(403);

    const token = await invite(service, 'page@example.com');
    const form = await send(service.url, 'GET', `/account/signup?invitation=${token}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Your invitation is for page@example.com.');
    expect(form.text).toContain(`name="invitation" value="${token}"`);
    // No puzzle for an invited sign-up, hence no script.
    expect(form.text).not.toContain('<script');
    const cookie = form.setCookies.map((line) => line.split(';')[0]).join('; ');
    const formToken = /name="form_token" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const post = (fields: Record<string, string>) => send(service.url, 'POST', '/account/signup', { form: { form_token: formToken, password: PASSWORD, ...fields }, headers: { cookie, origin: 'https://auth.example.com' } });
    expect((await post({ email: 'someone@example.com', invitation: token })).status).toBe(403);
    const done = await post({ email: 'page@example.com', invitation: token });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your account is ready');
    const again = await post({ email: 'page@example.com', invitation: token });
    expect(again.status).toBe(403);
    expect(again.text).toContain('This invitation does not work');
  });

  it('the sign-up page with the challenge: its own script, allowed on that page only, and a form that says it needs it', async () => {
    const service = await build({ REGISTRATION_CHALLENGE: 'pages', REGISTRATION_CHALLENGE_MAX_NUMBER: '1000' });
    const page = await send(service.url, 'GET', '/account/signup');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const src = /<script src="(assets\/signup\.[0-9a-f]{16}\.js)" defer><\/script>/.exec(page.text)?.[1];
    expect(src).toBeDefined();
    expect(page.text).toMatch(/<form method="post" action="signup" novalidate data-challenge="\{&quot;algorithm&quot;:&quot;SHA-256&quot;/);
    expect(page.text).toContain('<noscript>');
    const script = await send(service.url, 'GET', `/account/${src ?? ''}`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.text).toContain("crypto.subtle.digest('SHA-256'");
    // Every other page still runs nothing.
    expect((await send(service.url, 'GET', '/account/login')).headers['content-security-policy']).not.toContain('script-src');

    // Without JavaScript the answer is missing: refused, with a fresh challenge to try again, nothing created.
    const cookie = page.setCookies.map((line) => line.split(';')[0]).join('; ');
    const formToken = /name="form_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const refused = await send(service.url, 'POST', '/account/signup', { form: { form_token: formToken, email: 'nojs@example.com', password: PASSWORD, altcha: '' }, headers: { cookie, origin: 'https://auth.example.com' } });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('did not complete or has expired');
    expect(refused.text).toContain('data-challenge=');
    expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([]);
  });

  it('POST /admin/invitations mails an invitation and answers its address and expiry, never its token', async () => {
    const service = await build({ REGISTRATION: 'invite' });
    const admin = await buildAdminServer(service.sesame);
    closers.push(() => admin.close());
    const authorization = `Bearer ${(await service.sesame.adminTokens.create('invite test', { actor: 'cli:test' })).token}`;
    const reply = await admin.inject({ method: 'POST', url: '/admin/invitations', headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'Admin-Invited@example.com', language: 'fr' }) });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ message: 'invitation sent', email: 'admin-invited@example.com', expires_at: new Date(T0 + 7 * DAY).toISOString() });
    await service.sesame.mail.dispatchDue();
    const mail = service.transport.sent.find((message) => message.kind === 'invitation');
    expect(mail?.subject).toBe('Vous êtes invité à créer un compte sur auth.example.com');
    const token = /invitation=([A-Za-z0-9_-]+)/.exec(mail?.text_body ?? '')?.[1] ?? '';
    expect(reply.body).not.toContain(token);
    expect((await signUp(service, 'admin-invited@example.com', { invitation: token })).status).toBe(200);
    const bad = await admin.inject({ method: 'POST', url: '/admin/invitations', headers: { authorization, 'content-type': 'application/json' }, payload: '{"email":"not an address"}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['sesame-error']).toBe('users.invalid_email');
  });

  it('closed: POST /admin/users creates the account the public sign-up may not, and says when the address is taken', async () => {
    const service = await build({ REGISTRATION: 'closed' });
    const admin = await buildAdminServer(service.sesame);
    closers.push(() => admin.close());
    const authorization = `Bearer ${(await service.sesame.adminTokens.create('create test', { actor: 'cli:test' })).token}`;
    const create = (body: unknown) => admin.inject({ method: 'POST', url: '/admin/users', headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect(outcome(await signUp(service, 'staff@example.com'))).toEqual({ status: 403, code: 'signup.closed' });
    const made = await create({ email: 'Staff@example.com', password: PASSWORD });
    expect(made.statusCode).toBe(200);
    expect(made.json()).toMatchObject({ message: 'account created', email: 'staff@example.com', state: 'active', email_verified_at: expect.stringMatching(/Z$/) as string });
    const unverified = await create({ email: 'later@example.com', password: PASSWORD, unverified: true });
    expect(unverified.json()).toMatchObject({ email: 'later@example.com', email_verified_at: null });
    const taken = await create({ email: 'staff@example.com', password: PASSWORD });
    expect([taken.statusCode, taken.headers['sesame-error']]).toEqual([400, 'users.email_taken']);
    const missing = await create({ email: 'nopass@example.com' });
    expect([missing.statusCode, missing.headers['sesame-error']]).toEqual([400, 'request.invalid']);
    expect((await send(service.url, 'POST', '/sessions', { json: { email: 'staff@example.com', password: PASSWORD } })).status).toBe(200);
    expect((await service.sesame.audit.list({ type: 'account.created' })).map((event) => event.actor)).toEqual([expect.stringMatching(/^admin-token:/), expect.stringMatching(/^admin-token:/)]);
  });

  it('the sign-up page refuses an address outside REGISTRATION_DOMAINS beside its field, creating nothing', async () => {
    const service = await build({ REGISTRATION_DOMAINS: 'example.com' });
    const page = await send(service.url, 'GET', '/account/signup');
    const cookie = page.setCookies.map((line) => line.split(';')[0]).join('; ');
    const formToken = /name="form_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const refused = await send(service.url, 'POST', '/account/signup', { form: { form_token: formToken, email: 'me@elsewhere.net', password: PASSWORD }, headers: { cookie, origin: 'https://auth.example.com' } });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('<span class="field-error" id="email-error">Sign-up is limited to some email domains, and this address is not in one.</span>');
    expect(refused.text).toContain('value="me@elsewhere.net"');
    expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([]);
  });
});

describeEngines('invitations without a way to send mail', (engine) => {
  it('are refused before anything is stored', async () => {
    const storage = await engine.open();
    try {
      const store = new KyselySignupStore(storage.kysely);
      const config = loadConfig({ LOG_LEVEL: 'silent', REGISTRATION: 'invite' }).signup;
      const signup = new Signup({
        store,
        changes: { transact: () => Promise.reject(new Error('no transaction expected')), publish: () => undefined },
        courier: { reaches: () => false, send: () => Promise.reject(new Error('no mail expected')) },
        proof: new ProofOfWork({ key: Buffer.alloc(32, 7), maxNumber: 1000, ttlMs: 60_000, store, clock: () => T0 }),
        clock: () => T0,
        config,
      });
      await expect(signup.invite('nobody@example.com', { actor: 'cli:test' })).rejects.toBeInstanceOf(InvitationUndeliverableError);
      expect(await storage.kysely.selectFrom('invitations').selectAll().execute()).toEqual([]);
    } finally {
      await storage.close();
    }
  });
});

describe('the sign-up settings', () => {
  it('refuse a domain list that would do nothing, a malformed domain and a difficulty out of range, naming the setting', () => {
    expect(problems({ REGISTRATION: 'invite', REGISTRATION_DOMAINS: 'example.com' })).toEqual(['REGISTRATION_DOMAINS applies only with REGISTRATION=open (it is invite): remove it, or open sign-up']);
    expect(problems({ REGISTRATION_DOMAINS: 'example.com, not a domain' })).toEqual([expect.stringMatching(/^REGISTRATION_DOMAINS must be comma-separated domains like example\.com \(not "not a domain"\)/)]);
    expect(problems({ REGISTRATION: 'members' })).toEqual([expect.stringMatching(/^REGISTRATION must be one of open, closed, invite/)]);
    expect(problems({ REGISTRATION_CHALLENGE_MAX_NUMBER: '10' })).toEqual(['REGISTRATION_CHALLENGE_MAX_NUMBER must be a whole number from 1000 to 10000000']);
    expect(problems({ REGISTRATION: 'closed', REGISTRATION_CHALLENGE: 'all', INVITATION_TTL: '1d' })).toEqual([]);
  });
});
