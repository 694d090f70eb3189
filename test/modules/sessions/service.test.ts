// The session rules against real databases: the session list, ending sessions with the password again, and the
// inactivity timeout, by an injected clock. Accounts and sessions are set up through the seed facade.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../src/modules/sessions/index.js';
import type { Auth } from '../../../src/seed/auth.js';
import type { Sesame } from '../../../src/sesame.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { useServices } from '../../support/in-process.js';

const T0 = 1_700_000_000_000;
const SESSION_TTL = 60_000;

/** SHA-256 hex, what the database holds of a session id. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The session list of the session an id names, or null without a live session. */
async function listSessions(sesame: Sesame, sessionId: string | undefined): Promise<SessionSummary[] | null> {
  const session = await sesame.sessions.validate(sessionId);
  return session === null ? null : sesame.sessions.list(session);
}

/** Ends sessions from the session an id names: null without a live session, `wrong-password`, or what ended. */
async function endSessions(sesame: Sesame, sessionId: string, password: string, target: string): Promise<null | 'wrong-password' | { ended: number; currentEnded: boolean }> {
  const session = await sesame.sessions.validate(sessionId);
  if (session === null) return null;
  const outcome = await sesame.sessions.revoke(session, password, target);
  return outcome.outcome === 'wrong-password' ? 'wrong-password' : { ended: outcome.ended, currentEnded: outcome.currentEnded };
}

describeEngines('SessionService', (engine) => {
  const storage = useFreshStorage(engine);
  /** The injected clock every instance built here reads. */
  let now = T0;
  let sesame: Sesame;
  /** Builds the services over this test's database with a one-minute session, plus `env`. */
  const build = useServices(storage, { SESSION_TTL: `${SESSION_TTL / 1000}s` }, () => now);
  const auth = (): Auth => sesame.auth;
  beforeEach(async () => {
    now = T0;
    sesame = await build();
  });

  describe('session list (list, revoke)', () => {
    it('lists the user\'s live sessions newest first with handles, marks the presented one, hides expired and foreign ones', async () => {
      await auth().registerUser('a@x.io', 'pw');
      await auth().registerUser('b@x.io', 'pw');
      const first = await auth().createSession('a@x.io');
      now += 1000;
      const second = await auth().createSession('a@x.io');
      await auth().createSession('b@x.io');
      const listed = await listSessions(sesame, second);
      expect(listed?.map((s) => [s.handle, s.createdAt, s.expiresAt, s.current])).toEqual([
        [sha256(second).slice(0, 16), T0 + 1000, T0 + 1000 + SESSION_TTL, true],
        [sha256(first).slice(0, 16), T0, T0 + SESSION_TTL, false],
      ]);
      expect(await listSessions(sesame, undefined)).toBeNull();
      expect(await listSessions(sesame, 'unknown')).toBeNull();
      now = T0 + SESSION_TTL + 1; // the first has expired, the second not yet
      expect((await listSessions(sesame, second))?.map((s) => s.current)).toEqual([true]);
    });

    it('endSessions checks the password, then ends a named session, the others, or all; never another user\'s', async () => {
      await auth().registerUser('a@x.io', 'pw');
      await auth().registerUser('b@x.io', 'pw');
      const [phone, laptop, tablet] = [await auth().createSession('a@x.io'), await auth().createSession('a@x.io'), await auth().createSession('a@x.io')];
      const foreign = await auth().createSession('b@x.io');
      const handle = (id: string): string => sha256(id).slice(0, 16);

      expect(await endSessions(sesame, laptop, 'wrong', 'all')).toBe('wrong-password');
      expect(await endSessions(sesame, 'unknown', 'pw', 'all')).toBeNull();
      expect(await endSessions(sesame, laptop, 'pw', handle(foreign))).toMatchObject({ ended: 0, currentEnded: false });
      expect((await auth().getUserFromSessionId(foreign))?.email).toBe('b@x.io');

      expect(await endSessions(sesame, laptop, 'pw', handle(phone))).toMatchObject({ ended: 1, currentEnded: false });
      expect(await auth().getUserFromSessionId(phone)).toBeNull();
      expect(await endSessions(sesame, laptop, 'pw', 'others')).toMatchObject({ ended: 1, currentEnded: false });
      expect(await auth().getUserFromSessionId(tablet)).toBeNull();
      expect((await auth().getUserFromSessionId(laptop))?.email).toBe('a@x.io');
      expect(await endSessions(sesame, laptop, 'pw', 'all')).toMatchObject({ ended: 1, currentEnded: true });
      expect(await auth().getUserFromSessionId(laptop)).toBeNull();
      expect((await auth().getUserFromSessionId(foreign))?.email).toBe('b@x.io');
    });
  });

  describe('inactivity timeout (SESSION_IDLE_TIMEOUT)', () => {
    const IDLE = 60_000;

    it('ends a session unused for the idle time, while use keeps it alive; the absolute lifetime still applies', async () => {
      const idling = await build({ SESSION_IDLE_TIMEOUT: `${IDLE / 1000}s`, SESSION_TTL: `${(10 * IDLE) / 1000}s` });
      const idle = (): Auth => idling.auth;
      await idle().registerUser('a@x.io', 'pw');
      const used = await idle().createSession('a@x.io');
      const unused = await idle().createSession('a@x.io');
      // Used every 50 s for 5 minutes: never idle for a whole minute.
      for (let step = 1; step <= 6; step += 1) {
        now = T0 + step * 50_000;
        expect((await idle().getUserFromSessionId(used))?.email, `use at ${step * 50} s`).toBe('a@x.io');
      }
      expect(await idle().getUserFromSessionId(unused)).toBeNull();
      expect((await listSessions(idling, used))?.map((s) => s.current)).toEqual([true]);
      // Left alone for a whole idle time, the used one ends too.
      now += IDLE;
      expect(await idle().getUserFromSessionId(used)).toBeNull();
      // Without the timeout, the same rows only obey their absolute lifetime.
      const plain = await build({ SESSION_TTL: `${(10 * IDLE) / 1000}s` });
      expect((await plain.auth.getUserFromSessionId(unused))?.email).toBe('a@x.io');
    });

    it('records a use at most once per tenth of the timeout, and the sweeper ends idle sessions as expired', async () => {
      const idling = await build({ SESSION_IDLE_TIMEOUT: `${IDLE / 1000}s`, SESSION_TTL: `${(10 * IDLE) / 1000}s` });
      const idle = (): Auth => idling.auth;
      await idle().registerUser('a@x.io', 'pw');
      const session = await idle().createSession('a@x.io');
      const lastUsed = async (): Promise<unknown> =>
        (await storage().kysely.selectFrom('sessions').select('last_used_at').where('id_hash', '=', sha256(session)).executeTakeFirst())?.last_used_at;
      now = T0 + 1_000;
      await idle().getUserFromSessionId(session);
      expect(await lastUsed()).toBeNull();
      now = T0 + 6_000;
      await idle().getUserFromSessionId(session);
      expect(Number(await lastUsed())).toBe(T0 + 6_000);
      await idle().createSession('a@x.io');
      now = T0 + 6_000 + IDLE;
      expect(await idling.purgeExpired()).toMatchObject({ sessions: 0, idleSessionsEnded: 2, verificationTokens: 0 });
      const rows = await storage().kysely.selectFrom('sessions').select(['ended_at', 'end_reason']).execute();
      expect(rows).toEqual([
        { ended_at: now, end_reason: 'expired' },
        { ended_at: now, end_reason: 'expired' },
      ]);
      // Kept until their original expiry, then deleted.
      now = T0 + 6_000 + 10 * IDLE;
      expect(await idling.purgeExpired()).toMatchObject({ sessions: 2, idleSessionsEnded: 0 });
      expect(await storage().kysely.selectFrom('sessions').selectAll().execute()).toEqual([]);
    });
  });

});
