// Emails that cannot be addresses: a control character (C0 with NUL, tab and line breaks; DEL; C1), a format
// character (zero-width, bidirectional), or letters that grow when lower-cased (non-ASCII: see address-rule.test.ts
// for the whole rule). Refused with
// 400 on every route that takes an email, creating nothing, on both engines (PostgreSQL refuses NUL in text and
// overlong values in varchar(320), which used to end in a 500).
import { describe, expect, it } from 'vitest';
import { checkedEmail, normaliseEmail } from '../../../src/modules/users/index.js';
import { describeEngines, createPostgresSchema } from '../../support/engines.js';
import { send, uniqueEmail } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

/** One of each class of character no address holds. */
const FORBIDDEN: ReadonlyArray<readonly [string, string]> = [
  ['NUL', '\u0000'],
  ['tab', '\t'],
  ['line feed', '\n'],
  ['carriage return', '\r'],
  ['escape', '\u001b'],
  ['DEL', '\u007f'],
  ['C1 next line', '\u0085'],
  ['C1 control', '\u009b'],
  ['zero-width space', '\u200b'],
  ['right-to-left override', '\u202e'],
  ['line separator', '\u2028'],
];

describe('checkedEmail', () => {
  it('returns the normalised form of an address', () => {
    expect(checkedEmail('  Bob@Example.COM ')).toBe('bob@example.com');
    expect(normaliseEmail(' A@X.io ')).toBe('a@x.io');
  });

  it('refuses every control and format character, anywhere, naming the field', () => {
    for (const [name, character] of FORBIDDEN) {
      for (const email of [`a${character}b@x.io`, `ab@x${character}.io`, `${character}ab@x.io`, `ab@x.io${character}`]) {
        expect(() => checkedEmail(email), `${name} in ${JSON.stringify(email)}`).toThrow('email must be an email address');
      }
    }
  });

  it('refuses what is not something@something', () => {
    for (const email of ['', 'ab', '@x.io', 'ab@', 'a@b@c', 'a b@x.io']) expect(() => checkedEmail(email), email).toThrow('email must be an email address');
  });

  it('keeps to RFC 5321 lengths: a 64-character local part and a 253-character domain pass, longer ones do not', () => {
    const label = 'd'.repeat(63);
    const domain = `${label}.${label}.${label}.${'e'.repeat(61)}`;
    expect(domain).toHaveLength(253);
    const longest = `${'a'.repeat(64)}@${domain}`;
    expect(checkedEmail(longest)).toBe(longest);
    expect(() => checkedEmail(`${'a'.repeat(65)}@x.io`)).toThrow('email must be an email address');
    expect(() => checkedEmail(`a@${label}.${label}.${label}.${'e'.repeat(62)}`)).toThrow('email must be an email address');
    expect(() => checkedEmail(`a@${'d'.repeat(64)}.io`)).toThrow('email must be an email address');
    // Past the column's 320 characters, the answer says so (the route schema's maxLength says the same).
    expect(() => checkedEmail(`${'a'.repeat(316)}@x.io`)).toThrow('email must be at most 320 characters');
  });
});

describeEngines('emails no address holds, over HTTP', (engine) => {
  /** A service on this engine; the caller stops it. */
  async function serviceOn(): Promise<{ service: Service; done(): Promise<void> }> {
    if (engine.name === 'sqlite') {
      const service = await startService();
      return { service, done: () => service.stop() };
    }
    const schema = await createPostgresSchema('email');
    const service = await startService({ DATABASE_URL: schema.url });
    return {
      service,
      async done() {
        await service.stop();
        await schema.drop();
      },
    };
  }

  it('refuses them with 400 on every route that takes an email, and creates nothing', async () => {
    const { service, done } = await serviceOn();
    try {
      const owner = uniqueEmail('owner');
      expect((await send(service.url, 'POST', '/users', { form: { email: owner, password: 'pw' } })).status).toBe(200);
      const reset = await send(service.url, 'POST', '/reset_password', { form: { email: owner } });
      const token = (reset.json as { reset_token: string }).reset_token;
      const [local, domain] = owner.split('@') as [string, string];
      for (const [name, character] of FORBIDDEN) {
        for (const email of [`${local}${character}@${domain}`, `${owner}${character}`]) {
          const label = `${name} in ${JSON.stringify(email)}`;
          const replies = [
            await send(service.url, 'POST', '/users', { json: { email, password: 'pw' } }),
            await send(service.url, 'POST', '/sessions', { json: { email, password: 'pw' } }),
            await send(service.url, 'POST', '/reset_password', { json: { email } }),
            await send(service.url, 'PUT', '/reset_password', { json: { email, reset_token: token, new_password: 'changed' } }),
          ];
          for (const reply of replies) {
            expect(reply.status, label).toBe(400);
            expect(reply.json, label).toEqual({ message: 'email must be an email address' });
          }
        }
      }
      // Nothing was created or changed: one account, its password and its token as they were.
      const count = await service.sesame.storage.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
      expect((await send(service.url, 'POST', '/sessions', { form: { email: owner, password: 'pw' } })).status).toBe(200);
      expect((await send(service.url, 'PUT', '/reset_password', { form: { email: owner, reset_token: token, new_password: 'changed' } })).status).toBe(200);
    } finally {
      await done();
    }
  });

  it('refuses an email of letters that grow when lower-cased (605 characters once normalised) with 400, not a 500', async () => {
    const { service, done } = await serviceOn();
    try {
      const email = `${'İ'.repeat(300)}@x.io`;
      const reply = await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ message: 'email must be an email address' });
      expect(reply.headers['sesame-error']).toBe('users.invalid_email');
      // Log-in and reset with it are simply unknown accounts, never a 500.
      expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } })).status).toBe(401);
      expect((await send(service.url, 'POST', '/reset_password', { form: { email } })).status).toBe(403);
    } finally {
      await done();
    }
  });
});
