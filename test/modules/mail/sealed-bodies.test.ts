// Outbox bodies at rest: sealed with AES-256-GCM under a key derived from SECRET_KEY (a copy of the database shows no
// link or code of a pending message), opened only with that key and untampered, and emptied once the message is sent.
// Deterministic (issue 23): the pending message is read once its failed try is recorded, and its back-off is crossed
// on the service's clock, moved by the test, rather than waited out.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesGcmSealer, PLAIN_BODIES } from '../../../src/modules/mail/index.js';
import { startService } from '../../support/in-process.js';
import { send } from '../../support/http.js';
import { outboxSettled, until } from '../../support/mail-doubles.js';
import { startSmtpReceiver } from '../../support/smtp.js';

describe('sealed outbox bodies', () => {
  const key = randomBytes(32);
  const sealer = aesGcmSealer(key);

  it('round-trips any text, and seals the same text differently each time (a fresh IV)', () => {
    for (const body of ['', 'Reset: https://x/account/reset?token=abc', 'é€😀\n'.repeat(50)]) {
      const sealed = sealer.seal(body);
      expect(sealed).toMatch(/^sealed:v2:00000000:[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      expect(sealed).not.toContain('token');
      expect(sealer.open(sealed)).toBe(body);
    }
    expect(sealer.seal('same')).not.toBe(sealer.seal('same'));
  });

  it('refuses a tampered body or another key, and reads a body stored before sealing as it is', () => {
    const sealed = sealer.seal('the code is 1234-5678');
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.at(-1) ?? ''}`;
    expect(() => sealer.open(flipped)).toThrow();
    expect(() => aesGcmSealer(randomBytes(32)).open(sealed)).toThrow();
    expect(sealer.open('a body from before sealing')).toBe('a body from before sealing');
    expect(PLAIN_BODIES.seal('x')).toBe('x');
    expect(() => aesGcmSealer(randomBytes(16))).toThrow('the outbox key must be 32 bytes');
  });

  it('keeps a pending reset message sealed in the database, and empties it once sent', async () => {
    const smtp = await startSmtpReceiver();
    await smtp.stop();
    // Real time, shifted when the test says so: the failed try's back-off (10 s) is crossed at once.
    let shift = 0;
    const service = await startService({ SMTP_URL: smtp.url, MAIL_FROM: 'auth@example.com', RESET_TOKEN_DELIVERY: 'email' }, { clock: () => Date.now() + shift });
    try {
      expect((await send(service.url, 'POST', '/users', { form: { email: 'sealed@example.io', password: 'pw' } })).status).toBe(200);
      expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'sealed@example.io' } })).status).toBe(200);
      const db = service.sesame.storage.kysely;
      // The server is down: the first try fails, and the message waits for its next one.
      await until(async () => Number((await db.selectFrom('mail_outbox').select('attempts').executeTakeFirst())?.attempts) === 1, 'the failed first try');
      const stored = await db.selectFrom('mail_outbox').select(['id', 'text_body', 'html_body', 'status']).executeTakeFirstOrThrow();
      expect(stored.status).toBe('pending');
      expect(stored.text_body).toMatch(new RegExp(`^sealed:v2:${service.sesame.secret.id}:`));
      expect(stored.html_body).toMatch(new RegExp(`^sealed:v2:${service.sesame.secret.id}:`));
      const opened = await service.sesame.mail.find(stored.id);
      const token = /token=([A-Za-z0-9_-]+)/.exec(opened?.text_body ?? '')?.[1] ?? '';
      expect(token).not.toBe('');
      expect(stored.text_body).not.toContain(token);
      expect(opened?.html_body).toContain(token);

      await smtp.restart();
      shift = 3_600_000;
      service.sesame.mail.wake();
      expect(await outboxSettled(db)).toMatchObject([{ id: stored.id, status: 'sent' }]);
      const sent = await db.selectFrom('mail_outbox').select(['text_body', 'html_body', 'status']).where('id', '=', stored.id).executeTakeFirstOrThrow();
      expect(sent).toEqual({ text_body: '', html_body: null, status: 'sent' });
      expect(smtp.received).toHaveLength(1);
    } finally {
      await service.stop();
      await smtp.stop();
    }
  });
});
