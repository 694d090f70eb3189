// What Sesame accepts as an address is what the mailer sends to: a dot-atom local part and a domain of LDH labels,
// ASCII only. Spellings nodemailer re-parses as a display name before another address, a quoted address, a list or
// a group used to be accepted, so several accounts shared one real mailbox (and the per-recipient hourly limit
// counted each spelling apart). Refused wherever an address enters (POST /users, PUT /email), on both engines and
// in both profiles; the seed's and the usual addresses stay valid.
import fc from 'fast-check';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { checkedEmail, isAcceptedEmail } from '../../../src/modules/users/index.js';
import { describeEngines } from '../../support/engines.js';
import { send } from '../../support/http.js';
import { TEST_SECRET_KEY } from '../../support/settings.js';
import { login, receiver, register, startMailService, useCleanup } from '../email/harness.js';

useCleanup();

/** Addresses every profile accepts, stored lower-cased. */
const VALID = ['a@x.io', 'A@x.io', 'guillaume@holberton.io', 'first.last+tag@sub.example.org'];

/**
 * Spellings with one `@` and no whitespace (the old rule's whole test) that nodemailer reads as `victim@x.io`, or as
 * more than one recipient: each was an account of its own whose mail reached the victim's mailbox.
 */
const SHARING = ['<victim@x.io>', 'a,victim@x.io', 'x;victim@x.io', 'g:victim@x.io;', '"victim"@x.io', 'x(c)victim@x.io', 'victim@x.io>', 'name<victim@x.io'];

/** Builds messages without sending them. */
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

/** Where nodemailer would deliver a message whose `To:` is this string (no explicit envelope): its `RCPT TO` list. */
async function deliveredTo(recipient: string): Promise<string[]> {
  const built = (await composer.sendMail({ from: 'auth@example.com', to: recipient, subject: 's', text: 't' })) as { envelope: { to: string[] } };
  return built.envelope.to;
}

describe('the address rule', () => {
  it('accepts the usual addresses, the seed client\'s, every atext special and an internationalised domain in its ASCII form', () => {
    expect(VALID.map((email) => checkedEmail(email))).toEqual(['a@x.io', 'a@x.io', 'guillaume@holberton.io', 'first.last+tag@sub.example.org']);
    for (const email of ["o'neil@x.io", 'a!#$%&*+-/=?^_`{|}~@x.io', 'user@xn--jgeva-dua.ee', 'a@x-y.example', 'a@1x.io', ' spaced@x.io ']) {
      expect(() => checkedEmail(email), email).not.toThrow();
    }
  });

  it('refuses every spelling a mailer reads as another mailbox or as several', async () => {
    for (const email of SHARING) {
      // Why: nodemailer delivers it somewhere other than the string itself.
      expect(await deliveredTo(email), email).not.toEqual([email]);
      expect(() => checkedEmail(email), email).toThrow('email must be an email address');
    }
  });

  it('refuses non-ASCII addresses (one mailbox would have several spellings), taking the ASCII form of a domain instead', () => {
    for (const email of ['élodie@exemple.fr', 'e\u0301lodie@exemple.fr', 'user@jõgeva.ee', 'p\u0430ypal@x.io', '用户@例子.广告', `${'İ'.repeat(3)}@x.io`]) {
      expect(() => checkedEmail(email), email).toThrow('email must be an email address');
    }
    expect(checkedEmail('user@xn--jgeva-dua.ee')).toBe('user@xn--jgeva-dua.ee');
  });

  it('refuses dots out of place, domains that are not LDH host names, IP addresses and address literals', () => {
    for (const email of ['.a@x.io', 'a.@x.io', 'a..b@x.io', 'a@localhost', 'a@x', 'a@-x.io', 'a@x-.io', 'a@x..io', 'a@x.io.', 'a@.x.io', 'a@x_y.io', 'a@1.2.3.4', 'a@[1.2.3.4]', 'a@', '@x.io']) {
      expect(() => checkedEmail(email), email).toThrow('email must be an email address');
    }
  });

  it('every address it accepts is where nodemailer delivers a message addressed to it, and nowhere else', async () => {
    // Mostly atext, dots and LDH labels, with now and then a character that has a meaning in a header, so both
    // branches are exercised.
    const near = fc.constantFrom(...'abcXYZ019.-+_!#$%&\'*/=?^`{|}~');
    const far = fc.constantFrom(...'@"<>(),;:[]\\ é');
    const character = fc.oneof({ arbitrary: near, weight: 30 }, { arbitrary: far, weight: 1 });
    const local = fc.array(character, { minLength: 1, maxLength: 20 }).map((chars) => chars.join(''));
    const label = fc.array(fc.oneof({ arbitrary: fc.constantFrom(...'abz09-'), weight: 30 }, { arbitrary: far, weight: 1 }), { minLength: 1, maxLength: 8 }).map((chars) => chars.join(''));
    const candidate = fc.tuple(local, fc.array(label, { minLength: 1, maxLength: 3 })).map(([user, labels]) => `${user}@${labels.join('.')}.io`);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(candidate, async (email) => {
        if (!isAcceptedEmail(email)) return;
        accepted += 1;
        const stored = checkedEmail(email);
        expect(await deliveredTo(stored)).toEqual([stored]);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});

describeEngines('the address rule where addresses enter', (engine) => {
  it('POST /users and PUT /email refuse every spelling that reaches another mailbox with 400, creating and changing nothing', async () => {
    const service = await startMailService({}, { engine: engine.name });
    expect((await register(service.url, 'victim@x.io', 'a long enough passphrase')).status).toBe(200);
    expect((await register(service.url, 'mover@x.io', 'a long enough passphrase')).status).toBe(200);
    const sessionId = (await login(service.url, 'mover@x.io', 'a long enough passphrase')).sessionId ?? '';
    for (const email of SHARING) {
      const created = await register(service.url, email, 'a long enough passphrase');
      expect(created.status, email).toBe(400);
      expect(created.json, email).toEqual({ message: 'email must be an email address' });
      expect(created.headers['sesame-error'], email).toBe('users.invalid_email');
      const changed = await send(service.url, 'PUT', '/email', { sessionId, json: { password: 'a long enough passphrase', new_email: email } });
      expect(changed.status, email).toBe(400);
      expect(changed.headers['sesame-error'], email).toBe('users.invalid_email');
    }
    const emails = await service.sesame.storage.kysely.selectFrom('users').select('email').orderBy('id').execute();
    expect(emails.map((row) => row.email)).toEqual(['victim@x.io', 'mover@x.io']);
    expect(await service.sesame.storage.kysely.selectFrom('verification_tokens').select('id').execute()).toEqual([]);
    expect(await service.sesame.storage.kysely.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
  });

  it('development and production both take the usual addresses and the seed client\'s', async () => {
    const smtp = await receiver();
    const production = {
      SESAME_PROFILE: 'production',
      SECRET_KEY: TEST_SECRET_KEY,
      BCRYPT_COST: '10',
      SMTP_URL: smtp.url,
      RESET_TOKEN_DELIVERY: 'email',
      PASSWORD_CHECK_TIMEOUT: '30s',
      PASSWORD_CHECK_CLIENT_BUDGET: '60s',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_IP_MAX: '10000',
    };
    for (const env of [{}, production]) {
      const service = await startMailService(env, { engine: engine.name });
      for (const email of ['a@x.io', 'guillaume@holberton.io', 'first.last+tag@sub.example.org']) {
        const reply = await register(service.url, email, 'the quiet librarian hums at noon');
        expect(reply.status, `${email}: ${reply.text}`).toBe(200);
      }
      // `A@x.io` is `a@x.io`: accepted as an address, and taken. Development says so (the seed's 400); production,
      // which requires verification, answers as for a new address and creates nothing (the owner is mailed instead).
      const again = await register(service.url, 'A@x.io', 'the quiet librarian hums at noon');
      if (env === production) {
        expect([again.status, again.json]).toEqual([200, { email: 'A@x.io', message: 'user created' }]);
        expect(await service.sesame.storage.kysely.selectFrom('users').select('email').orderBy('id').execute()).toHaveLength(3);
      } else {
        expect(again.headers['sesame-error']).toBe('users.email_taken');
      }
      await service.stop();
    }
  });
});
