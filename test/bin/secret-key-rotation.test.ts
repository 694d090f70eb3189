/**
 * README's "Rotating the secret key", followed step by step with the compiled `sesame` command and the standalone
 * server on both engines: the steps are read from README (each step's `sesame` commands, in order) and run in that
 * order against a database that holds mail, a code and audit rows written under the old key. Also `secret-key
 * generate`'s output, and `config check` naming a dropped or wrong previous key (exit 2).
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretKey } from '../../src/kernel/secrets.js';
import { webhookSecret } from '../../src/modules/mail/index.js';
import { REPO_ROOT, startBuiltServer, type RunningServer } from '../support/built-server.js';
import { runCli } from '../support/cli.js';
import { describeEngines } from '../support/engines.js';
import { send } from '../support/http.js';
import { mailTo, until } from '../support/mail-doubles.js';
import { emptyDatabase, type RawDatabase } from '../support/raw-database.js';
import { mailedCode, startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';

// Several server starts and a dozen CLI runs, one after another, on a shared 2-core machine: a bound, not a stopwatch.
vi.setConfig({ testTimeout: 240_000 });

/** README's numbered steps under "Rotating the secret key", each as its text. */
function readmeSteps(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Rotating the secret key');
  const end = readme.indexOf('\n#', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const steps: string[] = [];
  // A step starts with its number; its continuation lines are indented by three spaces.
  for (const line of section.split('\n')) {
    if (/^\d+\. /.test(line)) steps.push(line);
    else if (/^ {3}\S/.test(line) && steps.length > 0) steps[steps.length - 1] += ` ${line.trim()}`;
  }
  return steps;
}

/** The `sesame ...` commands a step names, in order (code spans starting with `sesame `). */
function commandsOf(step: string): string[] {
  return [...step.matchAll(/`(sesame [^`]+)`/g)].map((match) => match[1] ?? '');
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('sesame secret-key generate', () => {
  it('prints a fresh key SECRET_KEY accepts, a new one each time, with its id under --json; touches no database', async () => {
    const first = await runCli(['secret-key', 'generate'], {});
    const second = await runCli(['secret-key', 'generate', '--json'], {});
    expect([first.code, second.code]).toEqual([0, 0]);
    const key = first.stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(SecretKey.parse(key)).not.toBeNull();
    const parsed = JSON.parse(second.stdout) as { key: string; id: string };
    expect(parsed.key).not.toBe(key);
    expect(parsed.id).toBe(SecretKey.parse(parsed.key)?.id);
    expect((await runCli(['secret-key', 'rewrap', '--batch', '0'], {})).code).toBe(2);
    expect((await runCli(['secret-key', 'spin'], {})).code).toBe(2);
  });
});

describeEngines('rotating the secret key as README says', (engine) => {
  it('runs README\'s steps in order: mail, codes and the audit trail written under the old key survive, and the old key is dropped', async () => {
    // The steps as README gives them: this test runs exactly these commands, in this order.
    const steps = readmeSteps();
    expect(steps.map(commandsOf)).toEqual([
      ['sesame secret-key generate'],
      [],
      ['sesame webhook secret'],
      ['sesame secret-key rewrap'],
      ['sesame config check'],
      [],
      ['sesame config check'],
    ]);

    const raw: RawDatabase = await emptyDatabase(engine.name, 'readme-rotation');
    cleanups.push(() => raw.drop());
    const smtp: SmtpReceiver = await startSmtpReceiver();
    cleanups.push(() => smtp.stop());
    await smtp.stop();
    const base = { DATABASE_URL: raw.url, SMTP_URL: smtp.url, MAIL_FROM: 'auth@example.com', BCRYPT_COST: '4' };
    const serve = async (env: Readonly<Record<string, string>>): Promise<RunningServer> => {
      const server = await startBuiltServer({ env: { ...base, ...env } });
      cleanups.push(() => server.stop());
      return server;
    };
    const dueAt = (address: string, at: number): Promise<void> => raw.run([`update mail_outbox set next_attempt_at = ${at} where recipient = '${address}'`]);
    const attempts = async (address: string): Promise<number> =>
      Number((await raw.rows<{ attempts: number | string }>(`select attempts from mail_outbox where recipient = '${address}'`))[0]?.attempts ?? 0);
    const ghostRows = (): Promise<Array<{ email_pseudonym: string }>> =>
      raw.rows<{ email_pseudonym: string }>(`select email_pseudonym from auth_events where type = 'login.failed' order by id`);

    // Before: the old key in use; two accounts owed a verification message (SMTP is down, so both wait, sealed), and
    // a failed login for an address with no account (an audit row under its pseudonym).
    const OLD = SecretKey.generate().toBase64();
    const before = await serve({ SECRET_KEY: OLD });
    for (const email of ['one@example.io', 'two@example.io']) {
      expect((await send(before.url, 'POST', '/users', { form: { email, password: 'correct horse battery staple' } })).status).toBe(200);
      expect((await send(before.url, 'POST', '/email/verify/resend', { json: { email } })).status).toBe(200);
    }
    expect((await send(before.url, 'POST', '/sessions', { form: { email: 'ghost@example.io', password: 'not the password' } })).status).toBe(401);
    await until(async () => (await attempts('one@example.io')) >= 1 && (await attempts('two@example.io')) >= 1, 'the failed first tries');
    await before.stop();

    // 1. Generate the new key.
    const generated = await runCli(['secret-key', 'generate'], {});
    expect(generated.code, generated.stderr).toBe(0);
    const NEW = generated.stdout.trim();
    const newKey = SecretKey.parse(NEW);
    const oldId = SecretKey.parse(OLD)?.id ?? '';
    expect(newKey).not.toBeNull();
    const rotating = { ...base, SECRET_KEY: NEW, SECRET_KEYS_PREVIOUS: OLD };

    // 2. Deploy with SECRET_KEY=NEW and SECRET_KEYS_PREVIOUS=OLD: the message to one (sealed under OLD) is sent, and
    // its code (hashed under OLD) verifies. The message to two is held back, to be rewrapped.
    await smtp.restart();
    await dueAt('one@example.io', 0);
    await dueAt('two@example.io', 9_000_000_000_000);
    const during = await serve({ SECRET_KEY: NEW, SECRET_KEYS_PREVIOUS: OLD });
    const code = mailedCode((await mailTo(smtp, 'one@example.io', 'verify')).text) ?? '';
    expect(await send(during.url, 'POST', '/email/verify', { json: { email: 'one@example.io', code } })).toMatchObject({ status: 200 });

    // Before the rewrap, OLD is still needed: config check says so, and with OLD dropped or mistyped it exits 2 naming it.
    const needed = await runCli(['config', 'check'], rotating);
    expect(needed.code, needed.stderr).toBe(0);
    expect(needed.stdout).toContain(`warning: previous key ${oldId} is still needed: 1 outbox message(s) and the kept audit_pseudonym_key sealed under it`);
    for (const env of [{ ...base, SECRET_KEY: NEW }, { ...rotating, SECRET_KEYS_PREVIOUS: SecretKey.generate().toBase64() }]) {
      const refused = await runCli(['config', 'check', '--json'], env);
      expect(refused.code).toBe(2);
      const report = JSON.parse(refused.stdout) as { ok: boolean; problems: string[] };
      expect(report.ok).toBe(false);
      expect(report.problems.join('\n')).toContain(`sealed under key ${oldId}, which is neither SECRET_KEY nor in SECRET_KEYS_PREVIOUS`);
      expect(refused.stdout).not.toContain(OLD);
    }

    // 3. Give webhook receivers the new secret.
    const secret = await runCli(['webhook', 'secret'], rotating);
    expect(secret.stdout.trim()).toBe(webhookSecret(newKey ?? SecretKey.generate()));

    // 4. Re-seal what OLD sealed, while the server runs, one row a batch; a second run has nothing left to do.
    const rewrapped = await runCli(['secret-key', 'rewrap', '--batch', '1'], rotating);
    expect(rewrapped.code, rewrapped.stderr).toBe(0);
    expect(rewrapped.stdout).toContain(`re-sealed under key ${newKey?.id ?? ''}: 1 outbox message(s) in 1 batch(es), 1 kept key(s)`);
    const again = await runCli(['secret-key', 'rewrap', '--json'], rotating);
    expect(JSON.parse(again.stdout)).toMatchObject({ outbox_bodies: 0, kept_keys: 0 });

    // 5. Check: OLD is no longer needed for sealed data; the check says until when mailed codes live.
    const check = await runCli(['config', 'check', '--json'], rotating);
    expect(check.code, check.stderr).toBe(0);
    const report = JSON.parse(check.stdout) as { keys: { previous: Array<{ id: string; needed: boolean }> } };
    expect(report.keys.previous).toEqual([expect.objectContaining({ id: oldId, needed: false })]);
    expect((await runCli(['config', 'check'], rotating)).stdout).toContain(`previous key ${oldId} is no longer needed for sealed data`);
    await during.stop();

    // 6. Drop the old key: the message sealed under OLD, now under NEW, is sent and its link works; the address with
    // no account keeps one audit trail.
    await dueAt('two@example.io', 0);
    const after = await serve({ SECRET_KEY: NEW });
    const token = /token=([A-Za-z0-9_-]+)/.exec((await mailTo(smtp, 'two@example.io', 'verify')).text)?.[1] ?? '';
    expect(await send(after.url, 'POST', '/email/verify', { json: { token } })).toMatchObject({ status: 200 });
    expect((await send(after.url, 'POST', '/sessions', { form: { email: 'ghost@example.io', password: 'not the password' } })).status).toBe(401);
    const trail = await ghostRows();
    expect(trail).toHaveLength(2);
    expect(trail[1]?.email_pseudonym).toBe(trail[0]?.email_pseudonym);

    // 7. Confirm: no previous key configured, none needed.
    const done = await runCli(['config', 'check'], { ...base, SECRET_KEY: NEW });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`secret key ${newKey?.id ?? ''}: no previous key configured, none needed`);
  });
});
