// The operator counters fed by the event bus: logins by outcome, lock-outs (429s from the limits) by action, password
// resets by stage, and admin actions (account.* events, but for a self-registration), on a bare app with a fake bus.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { EventListener, SesameEvent } from '../../../src/kernel/events.js';
import { registerMetrics } from '../../../src/surfaces/ops/metrics.js';

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
});
