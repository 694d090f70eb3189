// The courier over a real outbox table: which channel each kind of notice leaves by, the exact JSON a webhook
// receiver gets for every kind, the rendered mail for the email channel, the per-recipient hourly limit (held back,
// published, security notices exempt), and the counts the resend and change limits read.
import { expect, it } from 'vitest';
import { Courier, KyselyMailOutboxStore, type CourierDeps, type MailEvent, type MailOutboxStore, type Notice } from '../../../src/modules/mail/index.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';

const T0 = Date.UTC(2026, 10, 30, 7, 46);
const BASE = 'https://auth.example.com/sesame';
const TO = { address: 'owner@example.io', language: 'fr' } as const;

/** One notice of every kind, to the same recipient. */
const NOTICES: readonly Notice[] = [
  { kind: 'password_reset', to: TO, token: 'tok-reset', code: '1234-5678', ttlMinutes: 30 },
  { kind: 'email_verify', to: TO, token: 'tok-verify', code: '2345-6789', ttlMinutes: 1440 },
  { kind: 'email_change_confirm', to: TO, token: 'tok-change', code: '3456-7890', ttlMinutes: 1440 },
  { kind: 'email_change_notice', to: TO, newAddress: 'new@example.io' },
  { kind: 'password_changed', to: TO, at: T0, how: 'reset' },
  { kind: 'new_sign_in', to: TO, at: T0, device: 'Browser/1', ip: '203.0.113.7' },
];

describeEngines('the courier', (engine) => {
  const storage = useFreshStorage(engine);
  let now = T0;

  /** A courier over the test's table, with what it published. */
  function courier(overrides: Partial<CourierDeps> = {}): { courier: Courier; store: MailOutboxStore; published: MailEvent[] } {
    const store = new KyselyMailOutboxStore(storage().kysely);
    const published: MailEvent[] = [];
    const built = new Courier({
      store,
      resetChannel: 'webhook',
      channel: 'webhook',
      baseUrl: BASE,
      recipientHourlyMax: 100,
      securityNoticeHourlyMax: 100,
      clock: () => now,
      publish: (event) => published.push(event),
      ...overrides,
    });
    return { courier: built, store, published };
  }

  /** Every row, oldest first, with its body parsed when it is a webhook's JSON. */
  async function rows(): Promise<Array<{ kind: string; channel: string; recipient: string; subject: string; body: unknown; html: string | null }>> {
    const all = await storage().kysely.selectFrom('mail_outbox').selectAll().orderBy('id').execute();
    return all.map((row) => ({
      kind: row.kind,
      channel: row.channel,
      recipient: row.recipient,
      subject: row.subject,
      body: row.channel === 'webhook' ? (JSON.parse(row.text_body) as unknown) : row.text_body,
      html: row.html_body,
    }));
  }

  it('posts every kind to the webhook as the facts a mailer needs, the reset with the old fields kept', async () => {
    now = T0;
    const { courier: sender } = courier();
    for (const notice of NOTICES) expect(await sender.send(storage().kysely, notice)).toBe('queued');
    const common = { email: 'owner@example.io', language: 'fr' };
    expect(await rows()).toEqual([
      {
        kind: 'password_reset', channel: 'webhook', recipient: 'owner@example.io', subject: 'password_reset', html: null,
        body: { type: 'password_reset', ...common, reset_token: 'tok-reset', token: 'tok-reset', code: '1234-5678', link: `${BASE}/account/reset?token=tok-reset`, expires_in_minutes: 30 },
      },
      {
        kind: 'email_verify', channel: 'webhook', recipient: 'owner@example.io', subject: 'email_verify', html: null,
        body: { type: 'email_verify', ...common, token: 'tok-verify', code: '2345-6789', link: `${BASE}/account/verify?token=tok-verify`, expires_in_minutes: 1440 },
      },
      {
        kind: 'email_change_confirm', channel: 'webhook', recipient: 'owner@example.io', subject: 'email_change_confirm', html: null,
        body: { type: 'email_change_confirm', ...common, token: 'tok-change', code: '3456-7890', link: `${BASE}/account/verify?token=tok-change`, expires_in_minutes: 1440 },
      },
      { kind: 'email_change_notice', channel: 'webhook', recipient: 'owner@example.io', subject: 'email_change_notice', html: null, body: { type: 'email_change_notice', ...common, new_email: 'new@example.io' } },
      { kind: 'password_changed', channel: 'webhook', recipient: 'owner@example.io', subject: 'password_changed', html: null, body: { type: 'password_changed', ...common, at: '2026-11-30T07:46:00.000Z', how: 'reset' } },
      { kind: 'new_sign_in', channel: 'webhook', recipient: 'owner@example.io', subject: 'new_sign_in', html: null, body: { type: 'new_sign_in', ...common, at: '2026-11-30T07:46:00.000Z', device: 'Browser/1', ip: '203.0.113.7' } },
    ]);
  });

  it('gives a sign-in with no device or address nulls, and encodes a token that needs it in the link', async () => {
    now = T0;
    const { courier: sender } = courier();
    await sender.send(storage().kysely, { kind: 'new_sign_in', to: TO, at: T0, device: undefined, ip: undefined });
    await sender.send(storage().kysely, { kind: 'email_verify', to: TO, token: 'a/b+c', code: '0000-0001', ttlMinutes: 5 });
    const [signIn, verify] = await rows();
    expect(signIn?.body).toMatchObject({ device: null, ip: null });
    expect(verify?.body).toMatchObject({ link: `${BASE}/account/verify?token=a%2Fb%2Bc` });
  });

  it('renders mail in the recipient\'s language for the email channel, each kind to its page', async () => {
    now = T0;
    const { courier: sender } = courier({ resetChannel: 'email', channel: 'email' });
    for (const notice of NOTICES) await sender.send(storage().kysely, notice);
    const mail = await rows();
    expect(mail.map((row) => [row.kind, row.channel])).toEqual(NOTICES.map((notice) => [notice.kind, 'email']));
    expect(mail.map((row) => row.subject)).toEqual([
      'Réinitialisez votre mot de passe',
      'Confirmez votre adresse e-mail',
      'Confirmez votre nouvelle adresse e-mail',
      'Votre adresse e-mail va être modifiée',
      'Votre mot de passe a été modifié',
      'Nouvelle connexion à votre compte',
    ]);
    expect(mail[0]?.body).toContain(`${BASE}/account/reset?token=tok-reset`);
    expect(mail[0]?.body).toContain('1234-5678');
    expect(mail[1]?.body).toContain(`${BASE}/account/verify?token=tok-verify`);
    expect(mail[2]?.body).toContain(`${BASE}/account/verify?token=tok-change`);
    expect(mail[3]?.body).toContain('n***@example.io');
    expect(mail[5]?.body).toContain('Browser/1');
    expect(mail.every((row) => row.html?.startsWith('<!doctype html>') === true)).toBe(true);
  });

  it('sends resets by RESET_TOKEN_DELIVERY and the rest by the mail channel; without a channel nothing is written', async () => {
    now = T0;
    const split = courier({ resetChannel: 'webhook', channel: 'email' }).courier;
    expect(split.reaches('password_reset')).toBe(true);
    await split.send(storage().kysely, NOTICES[0] as Notice);
    await split.send(storage().kysely, NOTICES[1] as Notice);
    expect((await rows()).map((row) => [row.kind, row.channel])).toEqual([['password_reset', 'webhook'], ['email_verify', 'email']]);

    const silent = courier({ resetChannel: undefined, channel: undefined }).courier;
    expect(silent.reaches('password_reset')).toBe(false);
    expect(silent.reaches('email_verify')).toBe(false);
    expect(await silent.send(storage().kysely, NOTICES[1] as Notice)).toBe('no-channel');
    const resetsOnly = courier({ resetChannel: 'email', channel: undefined }).courier;
    expect(resetsOnly.reaches('password_reset')).toBe(true);
    expect(resetsOnly.reaches('new_sign_in')).toBe(false);
    expect(await resetsOnly.send(storage().kysely, NOTICES[5] as Notice)).toBe('no-channel');
    expect(await rows()).toHaveLength(2);
  });

  it('holds back a recipient\'s messages past the hourly limit, tells the listeners, and sends security notices whatever the quota', async () => {
    now = T0;
    const { courier: sender, published } = courier({ recipientHourlyMax: 2 });
    const reset = NOTICES[0] as Notice;
    expect(await sender.send(storage().kysely, reset)).toBe('queued');
    expect(await sender.send(storage().kysely, reset)).toBe('queued');
    expect(await sender.send(storage().kysely, reset)).toBe('held');
    // A full quota does not silence a sign-in notice.
    expect(await sender.send(storage().kysely, NOTICES[5] as Notice)).toBe('queued');
    expect(published).toEqual([{ type: 'mail.held', context: { actor: 'system' }, detail: { kind: 'password_reset' }, traffic: true }]);
    // Another address has its own count.
    expect(await sender.send(storage().kysely, { ...reset, to: { address: 'other@example.io', language: 'en' } } as Notice)).toBe('queued');
    // A password change or a change of address is always announced.
    expect(await sender.send(storage().kysely, NOTICES[4] as Notice)).toBe('queued');
    expect(await sender.send(storage().kysely, NOTICES[3] as Notice)).toBe('queued');
    // An hour later the window has moved on: exactly at the hour the first two still count, a moment after they do not.
    now = T0 + 3_600_000;
    expect(await sender.send(storage().kysely, reset)).toBe('held');
    now = T0 + 3_600_001;
    expect(await sender.send(storage().kysely, reset)).toBe('queued');
  });

  it('bounds each kind of security notice per address per hour, without using up the shared quota', async () => {
    now = T0;
    const { courier: sender, published } = courier({ recipientHourlyMax: 2, securityNoticeHourlyMax: 2 });
    const signIn = NOTICES[5] as Notice;
    expect(await sender.send(storage().kysely, signIn)).toBe('queued');
    expect(await sender.send(storage().kysely, signIn)).toBe('queued');
    expect(await sender.send(storage().kysely, signIn)).toBe('held');
    expect(published).toEqual([{ type: 'mail.held', context: { actor: 'system' }, detail: { kind: 'new_sign_in' }, traffic: true }]);
    // Another kind has its own bound; the shared quota is untouched by the notices.
    expect(await sender.send(storage().kysely, NOTICES[4] as Notice)).toBe('queued');
    expect(await sender.send(storage().kysely, NOTICES[0] as Notice)).toBe('queued');
    expect(await sender.send(storage().kysely, NOTICES[0] as Notice)).toBe('queued');
    expect(await sender.send(storage().kysely, NOTICES[0] as Notice)).toBe('held');
    now = T0 + 3_600_001;
    expect(await sender.send(storage().kysely, signIn)).toBe('queued');
  });

  it('counts an address\'s messages of one kind over the last hour, for the resend and change limits', async () => {
    now = T0;
    const { courier: sender } = courier();
    await sender.send(storage().kysely, NOTICES[1] as Notice);
    await sender.send(storage().kysely, NOTICES[1] as Notice);
    await sender.send(storage().kysely, NOTICES[3] as Notice);
    expect(await sender.countRecent('email_verify', 'owner@example.io')).toBe(2);
    expect(await sender.countRecent('email_change_notice', 'owner@example.io')).toBe(1);
    expect(await sender.countRecent('email_verify', 'other@example.io')).toBe(0);
    now = T0 + 3_600_000;
    expect(await sender.countRecent('email_verify', 'owner@example.io')).toBe(2);
    now = T0 + 3_600_001;
    expect(await sender.countRecent('email_verify', 'owner@example.io')).toBe(0);
    // The unknown-address path of a reset does the count and writes nothing.
    await sender.countOnly(storage().kysely, 'nobody@example.io');
    expect(await rows()).toHaveLength(3);
  });
  it('carries an invitation: its link to the sign-up page by webhook as a fact, by mail in the reader\'s language', async () => {
    now = T0;
    const invitation = { kind: 'invitation', to: TO, token: 'tok-invite', expiresAt: T0 + 7 * 86_400_000 } as const;
    expect(await courier().courier.send(storage().kysely, invitation)).toBe('queued');
    expect(await courier({ channel: 'email' }).courier.send(storage().kysely, invitation)).toBe('queued');
    const [hook, mail] = await rows();
    expect(hook).toEqual({
      kind: 'invitation', channel: 'webhook', recipient: 'owner@example.io', subject: 'invitation', html: null,
      body: { type: 'invitation', email: 'owner@example.io', language: 'fr', token: 'tok-invite', link: `${BASE}/account/signup?invitation=tok-invite`, expires_at: '2026-12-07T07:46:00.000Z' },
    });
    expect(mail).toMatchObject({ kind: 'invitation', channel: 'email', subject: 'Vous êtes invité à créer un compte sur auth.example.com' });
    expect(mail?.body).toContain(`${BASE}/account/signup?invitation=tok-invite`);
    expect(mail?.body).toContain('Le lien ne sert qu’une fois, jusqu’au 7 décembre 2026');
    expect(mail?.html).toContain(`href="${BASE}/account/signup?invitation=tok-invite"`);
  });
});
