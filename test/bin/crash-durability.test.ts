// Crash safety: `kill -9` the built server under sustained write load (registrations, logins, password changes,
// resets), restart it on the same database, and every write it acknowledged with a 2xx is there: each acknowledged
// account exists and logs in with its last acknowledged password, and every password an acknowledged change or reset
// replaced no longer works. A write in flight at the kill may land or not (it was never acknowledged), so each
// account's one in-flight password is accepted too. On both engines.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, startBuiltServer, type RunningServer, type TempDir } from '../support/built-server.js';
import { createPostgresSchema, isCi, postgresAvailability } from '../support/engines.js';
import { send, sleep, uniqueEmail } from '../support/http.js';

/** What the load knows about one account: the passwords acknowledged in order, and one sent but not yet answered. */
interface Account {
  readonly email: string;
  created: boolean;
  readonly acknowledged: string[];
  inFlight: string | undefined;
}

/**
 * How many acknowledged writes the load reaches before the kill, and how many clients drive it. The kill waits for a
 * count, not a stopwatch: on a busy machine a fixed second acknowledged too few writes to prove anything.
 */
const KILL_AFTER = 40;
const CLIENTS = 6;

/** One client: creates accounts one after another, and on each logs in, changes the password and resets it. */
async function drive(url: string, accounts: Account[], stop: () => boolean, counter: Counter): Promise<void> {
  let n = 0;
  while (!stop()) {
    const account: Account = { email: uniqueEmail('crash'), created: false, acknowledged: [], inFlight: undefined };
    accounts.push(account);
    try {
      account.inFlight = `pw-${n++}-0`;
      const created = await send(url, 'POST', '/users', { form: { email: account.email, password: account.inFlight } });
      if (created.status !== 200) return counter.stopped(`POST /users ${created.status} ${created.text.slice(0, 200)}`);
      account.created = true;
      account.acknowledged.push(account.inFlight);
      account.inFlight = undefined;
      counter.acknowledge();

      const login = await send(url, 'POST', '/sessions', { form: { email: account.email, password: account.acknowledged.at(-1) ?? '' } });
      if (login.status !== 200) return counter.stopped(`POST /sessions ${login.status} ${login.text.slice(0, 200)}`);
      account.inFlight = `pw-${n++}-changed`;
      const changed = await send(url, 'PUT', '/password', { sessionId: login.sessionId ?? '', form: { password: account.acknowledged.at(-1) ?? '', new_password: account.inFlight } });
      if (changed.status !== 200) return counter.stopped(`PUT /password ${changed.status} ${changed.text.slice(0, 200)}`);
      account.acknowledged.push(account.inFlight);
      account.inFlight = undefined;
      counter.acknowledge();

      const requested = await send(url, 'POST', '/reset_password', { form: { email: account.email } });
      if (requested.status !== 200) return counter.stopped(`POST /reset_password ${requested.status} ${requested.text.slice(0, 200)}`);
      const token = (requested.json as { reset_token: string }).reset_token;
      account.inFlight = `pw-${n++}-reset`;
      const reset = await send(url, 'PUT', '/reset_password', { form: { email: account.email, reset_token: token, new_password: account.inFlight } });
      if (reset.status !== 200) return counter.stopped(`PUT /reset_password ${reset.status} ${reset.text.slice(0, 200)}`);
      account.acknowledged.push(account.inFlight);
      account.inFlight = undefined;
      counter.acknowledge();
    } catch (error) {
      // The connection broke: the server was killed mid-request (or, before the kill, something the report shows).
      return counter.stopped(`network: ${String((error as Error).cause ?? error)}`);
    }
  }
}

/** Counts acknowledged writes and says when {@link KILL_AFTER} of them have been. */
interface Counter {
  acknowledged: number;
  acknowledge(): void;
  /** Why each client stopped sending, for the failure message. */
  readonly stops: string[];
  stopped(reason: string): void;
  readonly reached: Promise<void>;
}

function newCounter(): Counter {
  let reach: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const counter: Counter = {
    acknowledged: 0,
    acknowledge() {
      counter.acknowledged += 1;
      if (counter.acknowledged >= KILL_AFTER) reach();
    },
    reached,
    stops: [],
    stopped(reason) {
      counter.stops.push(reason);
    },
  };
  return counter;
}

/**
 * Runs the load, kills the server with SIGKILL in the middle of it (once {@link KILL_AFTER} writes were acknowledged,
 * with every client still sending), and returns what was acknowledged.
 */
async function loadAndKill(server: RunningServer): Promise<{ accounts: Account[]; acknowledged: number; stops: string[] }> {
  const accounts: Account[] = [];
  const counter = newCounter();
  let killed = false;
  const clients = Array.from({ length: CLIENTS }, () => drive(server.url, accounts, () => killed, counter));
  // A client that met an unexpected answer stops; should all stop first, the count below fails the test instead.
  await Promise.race([counter.reached, Promise.all(clients)]);
  process.kill(server.pid, 'SIGKILL');
  killed = true;
  await server.exited;
  await Promise.all(clients);
  return { accounts, acknowledged: counter.acknowledged, stops: counter.stops };
}

/**
 * A login on the restarted server; a 503 (a lock the killed process's backend still held, until PostgreSQL noticed it
 * was gone) is what its contract says: try again shortly.
 */
async function logIn(url: string, email: string, password: string): Promise<number> {
  let status = 503;
  for (let attempt = 0; attempt < 120 && status === 503; attempt += 1) {
    if (attempt > 0) await sleep(250);
    status = (await send(url, 'POST', '/sessions', { form: { email, password } })).status;
  }
  return status;
}

/** Checks every acknowledged write against the restarted server. */
async function expectEveryAcknowledgedWrite(url: string, accounts: Account[]): Promise<void> {
  for (const account of accounts.filter((a) => a.created)) {
    const latest = account.acknowledged.at(-1) ?? '';
    const candidates = account.inFlight === undefined ? [latest] : [latest, account.inFlight];
    const statuses = [];
    for (const password of candidates) statuses.push(await logIn(url, account.email, password));
    expect(statuses, `${account.email} logs in with its last acknowledged password (or the one in flight)`).toContain(200);
    for (const replaced of account.acknowledged.slice(0, -1)) {
      expect(await logIn(url, account.email, replaced), `${account.email}: a replaced password is gone`).toBe(401);
    }
  }
}

const SETTINGS = { RATE_LIMIT_ENABLED: 'false', BCRYPT_COST: '4', LOG_LEVEL: 'warn', SWEEP_INTERVAL: '1h' };

describe('kill -9 under write load', () => {
  let server: RunningServer | undefined;
  let dir: TempDir | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    dir?.remove();
    dir = undefined;
  });

  it('loses no acknowledged write [sqlite]', async () => {
    dir = makeTempDir('crash');
    const databasePath = `${dir.path}/sesame.db`;
    server = await startBuiltServer({ databasePath, logLevel: 'warn', env: SETTINGS });
    const { accounts, acknowledged, stops } = await loadAndKill(server);
    expect(acknowledged, stops.join('\n')).toBeGreaterThanOrEqual(KILL_AFTER);
    server = await startBuiltServer({ databasePath, logLevel: 'warn', env: SETTINGS });
    await expectEveryAcknowledgedWrite(server.url, accounts);
  });

  const itPostgres = postgresAvailability.ok || isCi ? it : it.skip;
  itPostgres('loses no acknowledged write [postgres]', async () => {
    if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
    const schema = await createPostgresSchema('crash');
    try {
      const env = { ...SETTINGS, DATABASE_URL: schema.url };
      server = await startBuiltServer({ logLevel: 'warn', env });
      const { accounts, acknowledged, stops } = await loadAndKill(server);
      expect(acknowledged, stops.join('\n')).toBeGreaterThanOrEqual(KILL_AFTER);
      server = await startBuiltServer({ logLevel: 'warn', env });
      await expectEveryAcknowledgedWrite(server.url, accounts);
      await server.stop();
      server = undefined;
    } finally {
      await schema.drop();
    }
  });
});
