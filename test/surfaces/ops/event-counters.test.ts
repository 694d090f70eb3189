// The operator counters fed by the event bus: logins by outcome, lock-outs (429s from the limits) by action, password
// resets by stage, and admin actions (account.* events, but for a self-registration), on a bare app with a fake bus.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { EventListener, SesameEvent } from '../../../src/kernel/events.js';
import { registerMetrics } from '../../../src/surfaces/ops/metrics.js';
import { send } from '../../support/http.js';
import { startService } from '../../support/in-process.js';
import { waitUntil } from '../../support/ops-doubles.js';

const USER = { actor: 'user' } as const;
const ADMIN = { actor: 'admin-token:1' } as const;

describe('event counters on /metrics', () => {
  it('counts logins by outcome, lock-outs by action, resets by stage and account.* admin actions', async () => {
    const listeners: Array<EventListener<SesameEvent>> = [];
    const app = Fastify();
    registerMetrics(app, { on: (listener: EventListener<SesameEvent>) => void listeners.push(listener) } as never);
    const events: SesameEvent[] = [
      { type: 'login.succeeded', context: USER },
      { type: 'login.failed', context: USER },
      { type: 'login.failed', context: USER },
      { type: 'rate_limit.refused', context: USER, detail: { action: 'login', retryAfterSec: 60 }, traffic: true },
      { type: 'rate_limit.refused', context: USER, detail: { action: 'reset-request', retryAfterSec: 60 }, traffic: true },
      { type: 'password.reset_requested', context: USER },
      { type: 'password.reset', context: USER },
      { type: 'account.created', context: USER },
      { type: 'account.disabled', context: ADMIN },
      { type: 'account.disabled', context: ADMIN },
      { type: 'account.enabled', context: ADMIN },
    ];
    for (const event of events) for (const listener of listeners) listener(event);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const value = (series: string): number => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1) ?? 0);
    expect(value('sesame_logins_total{outcome="succeeded"}')).toBe(1);
    expect(value('sesame_logins_total{outcome="failed"}')).toBe(2);
    expect(value('sesame_logins_total{outcome="rate_limited"}')).toBe(1);
    expect(value('sesame_lockouts_total{action="login"}')).toBe(1);
    expect(value('sesame_lockouts_total{action="reset-request"}')).toBe(1);
    expect(value('sesame_password_resets_total{stage="requested"}')).toBe(1);
    expect(value('sesame_password_resets_total{stage="completed"}')).toBe(1);
    expect(value('sesame_admin_actions_total{type="account.disabled"}')).toBe(2);
    expect(value('sesame_admin_actions_total{type="account.enabled"}')).toBe(1);
    expect(text).not.toContain('sesame_admin_actions_total{type="account.created"}');
    await app.close();
  });

  it('counts outbox messages by kind and outcome: sent, failed (retried), gave_up and held', async () => {
    const listeners: Array<EventListener<SesameEvent>> = [];
    const app = Fastify();
    registerMetrics(app, { on: (listener: EventListener<SesameEvent>) => void listeners.push(listener) } as never);
    const system = { actor: 'system' } as const;
    const events: SesameEvent[] = [
      { type: 'mail.sent', context: system, detail: { kind: 'email_verify', channel: 'email', attempts: 1 }, countOnly: true },
      { type: 'mail.sent', context: system, detail: { kind: 'email_verify', channel: 'email', attempts: 2 }, countOnly: true },
      { type: 'mail.failed', context: system, detail: { mailId: 3, kind: 'password_reset', attempts: 1, gaveUp: false } },
      { type: 'mail.failed', context: system, detail: { mailId: 3, kind: 'password_reset', attempts: 10, gaveUp: true } },
      { type: 'mail.held', context: system, detail: { kind: 'password_reset' }, traffic: true },
    ];
    for (const event of events) for (const listener of listeners) listener(event);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const value = (series: string): number => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1) ?? 0);
    expect(value('sesame_mail_total{kind="email_verify",outcome="sent"}')).toBe(2);
    expect(value('sesame_mail_total{kind="password_reset",outcome="failed"}')).toBe(1);
    expect(value('sesame_mail_total{kind="password_reset",outcome="gave_up"}')).toBe(1);
    expect(value('sesame_mail_total{kind="password_reset",outcome="held"}')).toBe(1);
    await app.close();
  });

  it("counts a real delivery: a registration's verification message, written to the development outbox", async () => {
    const service = await startService({ METRICS_ENABLED: 'true', REQUIRE_EMAIL_VERIFICATION: 'true' });
    try {
      expect((await send(service.url, 'POST', '/users', { form: { email: 'counted@example.io', password: 'pw' } })).status).toBe(200);
      // The dispatcher sends in the background: scrape until it has (at most 60 s on a busy machine).
      let text = '';
      await waitUntil(async () => {
        text = (await send(service.url, 'GET', '/metrics')).text;
        return text.includes('sesame_mail_total{kind="email_verify",outcome="sent"} 1');
      }, 'the verification message to be counted as sent', 60_000, 25);
      expect(text).toContain('sesame_mail_total{kind="email_verify",outcome="sent"} 1');
      // Delivered messages are counted, not logged as events of the security log.
      expect(service.logs()).not.toMatch(/"event":"mail\.sent"/);
    } finally {
      await service.stop();
    }
  });
});
