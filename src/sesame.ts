/**
 * The composition root: `createSesame(config)` opens the database, builds every module's store and service with its
 * dependencies handed in, and returns them with one `close()`. The standalone server, the Fastify plugin, the seed
 * facade and the tests all stand on it; nothing in Sesame reads a global.
 * @module
 */
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Config } from './config.js';
import { mailLinkBase } from './surfaces/api/config.js';
import { systemClock, type Clock } from './kernel/clock.js';
import { checkMigrated, migrateToLatest, type MigrationSet } from './kernel/database/migrator.js';
import { migrationStatements, type MigrationSqlOptions } from './kernel/database/migration-sql.js';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './kernel/database/faults.js';
import { connectStorage, redactUrl, type Storage, type StorageOptions } from './kernel/database/storage.js';
import { logEvents } from './kernel/event-log.js';
import { EventBus } from './kernel/events.js';
import { createLogger, type SesameLogger } from './kernel/logging.js';
import { loadKeptKey } from './kernel/kept-keys.js';
import { kernelMigrations, loadSecretKey, SecretKeyring, type SecretKey } from './kernel/secrets.js';
import { startSweeper } from './kernel/sweeper.js';
import { AccountsService, KyselyAccountStore, type AccountsEvent } from './modules/accounts/index.js';
import { AuditLog, auditMigrations, KyselyAuditStore, PSEUDONYM_KEPT_KEY, PSEUDONYM_PURPOSE } from './modules/audit/index.js';
import {
  BcryptHasher,
  BoundedHasher,
  type PasswordEvent,
  type PasswordFlowDeps,
  PasswordChange,
  PasswordLogin,
  PasswordPolicy,
  PasswordReset,
  Registration,
  type PasswordHasher,
  type PasswordNotices,
  type ResetMailer,
  type ResetTokenSender,
  type StrengthEstimatorOptions,
} from './modules/password/index.js';
import { purgeExpiredCounters, rateLimitsMigrations, RateLimits, type LimiterStore, type RateLimitsEvent } from './modules/rate-limits/index.js';
import { KyselySessionStore, SessionService, sessionsMigrations, type SessionsEvent } from './modules/sessions/index.js';
import { CHALLENGE_KEY_PURPOSE, KyselySignupStore, ProofOfWork, Signup, signupMigrations, type SignupEvent } from './modules/signup/index.js';
import type { ApiEvent } from './surfaces/api/events.js';
import { KyselyUserStore, normaliseEmail, usersMigrations, type User, type UserStore } from './modules/users/index.js';
import { KyselyVerificationStore, pendingProofCanceller, verificationMigrations } from './modules/verification/index.js';
import { AdminTokens, adminTokensMigrations, KyselyAdminTokenStore, type AdminTokensEvent } from './modules/admin-tokens/index.js';
import {
  aesGcmSealer,
  channelTransport,
  Courier,
  fileTransport,
  KyselyMailOutboxStore,
  refusingTransport,
  MailOutbox,
  mailMigrations,
  smtpTransport,
  webhookSigningKeys,
  webhookTransport,
  type DispatchOptions,
  type MailChannel,
  type MailEvent,
  type MailTransport,
} from './modules/mail/index.js';
import { EmailAddresses, type EmailEvent } from './modules/email/index.js';
import { codeHashes, formatCode, generateCode, type CodeHashes } from './modules/verification/index.js';
import { hashToken } from './kernel/tokens.js';
import { Auth } from './seed/auth.js';
import { DB } from './seed/db.js';

/** Events after whose commit a message is (or, for a reset asked for an unknown address, may be) waiting in the outbox. */
const MAIL_WAKING_EVENTS: readonly string[] = ['invitation.created', 'password.changed', 'password.reset', 'password.reset_requested', 'email.verification_sent', 'email.change_requested', 'account.force_reset'];

/** Every module's migrations (and the kernel's own); the migrator merges them into one history by name. */
export const MIGRATIONS: readonly MigrationSet[] = [usersMigrations, rateLimitsMigrations, sessionsMigrations, kernelMigrations, auditMigrations, verificationMigrations, adminTokensMigrations, mailMigrations, signupMigrations];

/**
 * The SQL of Sesame's migrations for one engine and table prefix, for a host that applies schema changes with its own
 * tools and starts Sesame with `migrate: false`: run the statements in order, in one transaction. With `after` (the
 * last migration the database has) only the newer ones, to upgrade it. No database is needed.
 */
export function migrationSql(options: MigrationSqlOptions): Promise<string[]> {
  return migrationStatements(MIGRATIONS, options);
}

export type { MigrationSqlOptions };
export { SchemaVersionError } from './kernel/database/migrator.js';

/** Every event any module or surface records: the union the event bus carries. */
export type AuthEvent = PasswordEvent | SessionsEvent | RateLimitsEvent | AccountsEvent | ApiEvent | MailEvent | EmailEvent | AdminTokensEvent | SignupEvent;

/** How {@link openStorage} opens: the storage knobs, and how long and how to wait for a database still starting. */
export interface OpenOptions extends StorageOptions {
  /** Stop at this migration (an older schema, for tests of a migration). */
  readonly upTo?: string;
  /**
   * `false` for a host that applies Sesame's schema itself ({@link migrationSql}): nothing is created or changed, and
   * opening fails with a `SchemaVersionError` saying what to apply unless every migration is there (default true).
   */
  readonly migrate?: boolean;
  /** Keep trying an unreachable database this long, in ms, with back-off (default 0: one try). */
  readonly startupWaitMs?: number;
  /** Told of each failed try before the next one. */
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

/**
 * Opens the database a URL names and brings its schema up to date with every module's migrations (or, with
 * `migrate: false`, checks that it is), under `tablePrefix` when one is given. A database that is
 * not up yet (a compose file that starts both together) is tried again with back-off for `startupWaitMs`; then the
 * error names the database and the reason.
 */
export async function openStorage(url: string, options: OpenOptions = {}): Promise<Storage> {
  const deadline = Date.now() + (options.startupWaitMs ?? 0);
  for (let attempt = 1; ; attempt += 1) {
    const storage = connectStorage(url, options);
    try {
      if (options.migrate === false) await checkMigrated(storage, MIGRATIONS);
      else await migrateToLatest(storage, MIGRATIONS, options.upTo === undefined ? {} : { upTo: options.upTo });
      return storage;
    } catch (error) {
      await storage.close().catch(() => undefined);
      if (!isDatabaseUnavailable(error)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`database ${redactUrl(url)} is unreachable${attempt > 1 ? ` after ${attempt} tries` : ''}: ${reason}`, { cause: error });
      }
      const delay = Math.min(left, 2000, 100 * 2 ** (attempt - 1));
      options.onRetry?.(attempt, error, delay);
      await new Promise((wake) => setTimeout(wake, delay));
    }
  }
}

/** Dependencies a caller may hand in instead of letting {@link createSesame} build them. */
export interface SesameOptions {
  /** An open, migrated database (the caller closes it); default: opened from `config.database.url` and closed by `close()`. */
  readonly storage?: Storage;
  /** The time source (tests move it to cross an expiry). */
  readonly clock?: Clock;
  /** The password hasher (tests count its calls); default bcrypt at `config.password.bcryptCost`. */
  readonly hasher?: PasswordHasher;
  /**
   * What scores password strength when `PASSWORD_MIN_SCORE` is set (default zxcvbn on worker threads) and the clock its
   * budgets are charged by (default `performance.now`): tests hand in a scorer they finish by hand and a clock they
   * move, so the fair scheduler is proved without depending on this machine's speed.
   */
  readonly strength?: Pick<StrengthEstimatorOptions, 'scorer' | 'now'>;
  /** The logger (a host may hand in its own, such as `app.log`); default pino at `config.log.level`. */
  readonly logger?: SesameLogger;
  /** Where the default logger writes (default stdout); tests capture the log through it. */
  readonly logStream?: NodeJS.WritableStream;
  /** Start the expiry sweeper (default true). */
  readonly sweeper?: boolean;
  /**
   * Start the outbox's dispatcher (default true, whenever messages can leave: mail or the webhook); without it
   * messages wait in the outbox for another instance's.
   */
  readonly mailDispatcher?: boolean;
  /** How mail leaves and is paced: tests shorten the back-off and the poll, or point the development outbox elsewhere. */
  readonly mail?: MailOptions;
  /**
   * Put before every table, index and constraint name (overrides `DATABASE_TABLE_PREFIX`; default that setting, which
   * defaults to none), so Sesame shares a host's database without touching its tables. A handed-in `storage` carries
   * its own prefix; naming a different one here is refused.
   */
  readonly tablePrefix?: string;
  /**
   * `false` when the host applies Sesame's schema itself ({@link migrationSql}): start-up then only checks the schema
   * is current and fails saying what to apply (default true: migrate). Ignored with a handed-in `storage`.
   */
  readonly migrate?: boolean;
  /**
   * Where a host mounts Sesame's routes (the plugin's `prefix`, e.g. `/auth`), so mailed links carry it when
   * `PUBLIC_URL` names only the origin. The plugin passes its own; a host that builds the instance for a prefixed
   * plugin passes the same prefix (the plugin refuses an instance whose links would miss it).
   */
  readonly mountPrefix?: string;
  /**
   * `false` for a caller that writes nothing (the CLI's read-only commands, on a read-only `storage`): without
   * `SECRET_KEY` the development key is read from the database but never generated and kept (see `loadSecretKey`).
   * Default true.
   */
  readonly generateSecret?: boolean;
}

/** What a caller may change about mail (see {@link SesameOptions.mail}). */
export interface MailOptions {
  /** The dispatcher's poll, back-off and lease. */
  readonly dispatch?: DispatchOptions;
  /** Where development without `SMTP_URL` writes `.eml` files (default `MAIL_OUTBOX_DIR`, `./data/outbox`). */
  readonly outboxDir?: string;
  /** The mail transport itself (default SMTP from `SMTP_URL`, or the `.eml` directory). */
  readonly transport?: MailTransport;
  /** The webhook transport (default a signed POST to `RESET_WEBHOOK_URL`). */
  readonly webhookTransport?: MailTransport;
}

/** The password module's flows, built together. */
export interface PasswordFlows {
  readonly registration: Registration;
  readonly login: PasswordLogin;
  readonly change: PasswordChange;
  readonly reset: PasswordReset;
  /** Delivers reset tokens out of band; undefined returns them in the response (the seed's behaviour). */
  readonly resetDelivery: ResetTokenSender | undefined;
  /** The hasher every flow shares. */
  readonly hasher: PasswordHasher;
}

/** A running Sesame: every module's services over one database, and how to release them. */
export interface Sesame {
  /** The settings it was built from. */
  readonly config: Config;
  /** Where mailed links point (`PUBLIC_URL`, plus the mount prefix when its path is empty), without a trailing slash. */
  readonly linkBase: string;
  /** The open database. */
  readonly storage: Storage;
  /** Where it logs. */
  readonly log: SesameLogger;
  /** What happened: services record events here; the audit log stores them, the log and metrics listen. */
  readonly events: EventBus<AuthEvent>;
  /** The server secret (`SECRET_KEY`, or the development one kept in the database): what every write is keyed with. */
  readonly secret: SecretKey;
  /** The server secret with the previous ones still read (`SECRET_KEYS_PREVIOUS`): what every reader checks against. */
  readonly keys: SecretKeyring;
  /** The append-only record of account events. */
  readonly audit: AuditLog;
  /** The account store. */
  readonly users: UserStore;
  /** The session rules. */
  readonly sessions: SessionService;
  /** Registration, login, change and reset. */
  readonly password: PasswordFlows;
  /** Who may sign up (`REGISTRATION*`), invitations and the sign-up challenge. */
  readonly signup: Signup;
  /** The mail outbox and its dispatcher. */
  readonly mail: MailOutbox;
  /** Verification and change of the account's address, and its mail language. */
  readonly email: EmailAddresses;
  /** Whole-account operations for operators and owners: disable, enable, force a reset, delete, export. */
  readonly accounts: AccountsService;
  /** The admin API's bearer tokens (created and revoked by the CLI). */
  readonly adminTokens: AdminTokens;
  /** Brute-force limits, or undefined when switched off. */
  readonly rateLimits: RateLimits | undefined;
  /** The seed's `Auth` facade over these services. */
  readonly auth: Auth;
  /** The seed's `DB` facade over the account store. */
  readonly db: DB;
  /** Resolves when the database answers a trivial query (the health check). */
  ping(): Promise<void>;
  /** As {@link ping}, but rejects with a `DatabaseUnavailableError` when no answer comes within `ms`. */
  pingWithin(ms: number): Promise<void>;
  /** Runs every module's purge of expired rows once and says how many rows each removed (the sweeper calls it). */
  purgeExpired(): Promise<Readonly<Record<string, number>>>;
  /** Stops the sweeper and the mail dispatcher, ends worker threads, closes Redis and (when it opened it) the database. */
  close(): Promise<void>;
}

/** Builds every service from a validated config; see {@link SesameOptions} for what may be handed in. */
export async function createSesame(config: Config, options: SesameOptions = {}): Promise<Sesame> {
  // First, so a PUBLIC_URL that contradicts the mount prefix is refused before anything is opened. Development
  // without PUBLIC_URL links to the address the standalone server listens on.
  const linkBase = mailLinkBase(config.api.publicUrl, options.mountPrefix, `http://${config.server.host}:${config.server.port}`);
  const log = options.logger ?? createLogger(config.log.level, options.logStream);
  const ownsStorage = options.storage === undefined;
  if (options.storage !== undefined && options.tablePrefix !== undefined && options.tablePrefix !== options.storage.tablePrefix) {
    throw new Error(`tablePrefix ${JSON.stringify(options.tablePrefix)} differs from the given storage's ${JSON.stringify(options.storage.tablePrefix)}`);
  }
  const storage =
    options.storage ??
    (await openStorage(config.database.url, {
      connectTimeoutMs: config.database.connectTimeoutMs,
      statementTimeoutMs: config.database.statementTimeoutMs,
      idleTimeoutMs: config.database.idleTimeoutMs,
      startupWaitMs: config.database.startupWaitMs,
      busyTimeoutMs: config.database.busyTimeoutMs,
      poolSize: config.database.poolSize,
      preparedStatements: config.database.preparedStatements,
      tablePrefix: options.tablePrefix ?? config.database.tablePrefix,
      ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
      onRetry: (attempt, error, delayMs) =>
        log.warn({ err: error, attempt, retryInMs: delayMs, database: redactUrl(config.database.url) }, 'database not reachable yet: trying again'),
      onConnectionError: (error) => log.warn({ err: error }, 'a database connection failed; the pool opens another when needed'),
    }));
  const clock = options.clock ?? systemClock;
  const db = storage.kysely;

  let secret: Awaited<ReturnType<typeof loadSecretKey>>;
  let pseudonymKey: Buffer;
  try {
    secret = await loadSecretKey(db, config.secrets.key, clock(), { generate: options.generateSecret !== false });
    const ring = new SecretKeyring(secret.key, config.secrets.previousKeys);
    // Kept apart from the rotating secret, so an address's audit trail stays one across rotations (see
    // PSEUDONYM_KEPT_KEY). Before it was kept, pseudonyms were made with the `audit-pseudonym` key of the secret then
    // in use: the current one, or, when this start is already a rotation (a previous key given), the previous one.
    pseudonymKey = await loadKeptKey(db, ring, PSEUDONYM_KEPT_KEY, () => (ring.previous[0] ?? ring.current).derive(PSEUDONYM_PURPOSE), clock(), {
      write: options.generateSecret !== false,
    });
  } catch (error) {
    // A key that cannot be read (a dropped previous key) stops start-up: the database opened for it is closed.
    if (ownsStorage) await storage.close();
    throw error;
  }
  if (secret.generated) {
    log.warn('SECRET_KEY is not set: generated one and kept it in the database (development only; production refuses to start without SECRET_KEY)');
  }
  const keys = new SecretKeyring(secret.key, config.secrets.previousKeys);
  const audit = new AuditLog({ store: new KyselyAuditStore(db), pseudonymKey, clock, config: config.audit });
  const events = new EventBus<AuthEvent>(db, (error, event) => log.error({ err: error, event: event.type }, 'an event listener failed'));
  events.store(audit.persist);
  events.on(logEvents(log, (email) => audit.pseudonym(email)));

  const users = new KyselyUserStore(db, storage.traits);
  // Bounded, so a burst of logins is shed with 503 instead of queueing on bcrypt's few threads for ever.
  const hasher = new BoundedHasher(options.hasher ?? new BcryptHasher(config.password.bcryptCost), config.password.hashQueueMax);
  const policy = new PasswordPolicy(
    options.strength === undefined ? config.password.policy : { ...config.password.policy, strength: { ...config.password.policy.strength, ...options.strength } },
  );
  const tokens = new KyselyVerificationStore(db);
  // The one remedy every way of taking an account back calls (reset, password change, and the operator's actions).
  const cancelPending = pendingProofCanceller(tokens);
  const sessions = new SessionService({
    store: new KyselySessionStore(db, storage.traits),
    changes: events,
    clock,
    tokenFormat: config.tokens.format,
    config: config.sessions,
    reauthenticate: (user, password) => hasher.verify(password, user.hashed_password),
  });
  const mailer = config.mail;
  const resetWebhook = config.password.reset.webhookUrl;
  const transport = channelTransport({
    email:
      options.mail?.transport ??
      (mailer.smtpUrl !== undefined
        ? smtpTransport(mailer.smtpUrl, mailer.from ?? 'sesame@localhost')
        : config.profile === 'development'
          ? fileTransport(options.mail?.outboxDir ?? mailer.outboxDir, mailer.from ?? 'sesame@localhost')
          : refusingTransport()),
    // Signed with a key derived from SECRET_KEY, so receivers can tell Sesame's calls from anyone else's; also with each
    // previous key's while SECRET_KEYS_PREVIOUS lists some, so receivers not yet given the new secret still accept.
    ...(options.mail?.webhookTransport !== undefined
      ? { webhook: options.mail.webhookTransport }
      : resetWebhook !== undefined
        ? { webhook: webhookTransport(resetWebhook, webhookSigningKeys(keys)) }
        : {}),
  });
  // Bodies sealed at rest: a pending message carries a live link and code, which a copy of the database must not give away.
  // Each body names the key it was sealed under: after a rotation the previous key opens it until the rewrap.
  const outboxStore = new KyselyMailOutboxStore(db, aesGcmSealer(keys));
  const mail = new MailOutbox({
    store: outboxStore,
    changes: events,
    transport,
    clock,
    maxAttempts: mailer.maxAttempts,
    log,
    ...(options.mail?.dispatch === undefined ? {} : { dispatch: options.mail.dispatch }),
  });
  const delivery = config.password.reset.delivery;
  // Mail leaves by SMTP, or in development by .eml files; production without SMTP sends every message as a signed
  // webhook call to the operator's own mailer, when one is configured.
  const mailChannel: MailChannel | undefined =
    mailer.smtpUrl !== undefined || config.profile === 'development' ? 'email' : resetWebhook !== undefined ? 'webhook' : undefined;
  const courier = new Courier({
    store: outboxStore,
    resetChannel: delivery === 'email' ? 'email' : delivery === 'webhook' && resetWebhook !== undefined ? 'webhook' : undefined,
    channel: mailChannel,
    baseUrl: linkBase,
    recipientHourlyMax: mailer.recipientHourlyMax,
    securityNoticeHourlyMax: mailer.securityNoticeHourlyMax,
    clock,
    publish: (event) => events.publish(event),
  });
  // New codes are hashed under the current key; a typed code matches under any key, so one mailed before a rotation
  // keeps working until its token expires.
  const keyedCode = (purpose: Parameters<typeof codeHashes>[1], userId: number, code: string): CodeHashes => codeHashes(keys, purpose, userId, code);
  const email = new EmailAddresses({
    changes: events,
    users,
    tokens,
    hasher,
    courier,
    codeHashes: keyedCode,
    clock,
    tokenFormat: config.tokens.format,
    config: config.email,
  });
  const recipientOf = (user: User) => ({ address: user.email, language: user.language });
  const ttlMinutes = Math.round(config.password.reset.tokenTtlMs / 60_000);
  const mailReset = async (...[executor, user, token, typed, options = {}]: Parameters<ResetMailer>): Promise<boolean> => {
    // The unknown-address path counts like the known one, so the per-recipient limit costs both the same.
    if (user === undefined) {
      await courier.countOnly(executor, normaliseEmail(typed));
      return false;
    }
    const code = generateCode();
    // An operator's force-reset has spent the owner's other links: its message is never held.
    const notice = { kind: 'password_reset', to: recipientOf(user), token, code: formatCode(code), ttlMinutes } as const;
    const sent = await courier.send(executor, notice, { alwaysSend: options.operator === true, asMessage: options.asMessage === true });
    // The code is attached only to a token whose message went out: a held one would be a code no one was sent,
    // and one more target for every guess.
    if (sent === 'queued') await tokens.in(executor).attachCode(hashToken(token), keyedCode('password_reset', user.id, code)[0]);
    return sent === 'queued';
  };
  const resetMail: ResetMailer | undefined = courier.reaches('password_reset') ? mailReset : undefined;
  // The hosted forgot page mails the link whatever RESET_TOKEN_DELIVERY says, whenever Sesame can send mail at all.
  const pageResetMail: ResetMailer | undefined = courier.reaches('email_verify')
    ? (executor, user, token, typed, options = {}) => mailReset(executor, user, token, typed, { ...options, asMessage: true })
    : undefined;
  // A new account is mailed its verification link when verification is required (its login waits for it); otherwise
  // registration owes no message (the seed's flow stays free of tokens it never asked for), and an owner who wants
  // the address verified asks with POST /email/verify/resend.
  const verifyAtRegistration = config.email.requireVerification;
  const notices: PasswordNotices = {
    registered: (executor, user) => (verifyAtRegistration ? email.sendVerification(executor, user) : Promise.resolve()),
    // Only reached with verification required (the sign-up's enumeration-safe mode), where `registered` mails.
    registrationRepeated: async (executor, owner) => {
      await email.noticeRepeatedRegistration(executor, owner);
    },
    passwordChanged: async (executor, user, how) => {
      await courier.send(executor, { kind: 'password_changed', to: recipientOf(user), at: clock(), how });
    },
    signedIn: async (executor, user, context) => {
      if (config.email.notifyNewSignIn) await courier.send(executor, { kind: 'new_sign_in', to: recipientOf(user), at: clock(), device: context.userAgent, ip: context.ip });
    },
  };
  const flowDeps: PasswordFlowDeps = {
    changes: events,
    users,
    tokens,
    cancelPending,
    sessions,
    hasher,
    policy,
    clock,
    tokenFormat: config.tokens.format,
    reset: config.password.reset,
    notices,
    requireVerifiedEmail: config.email.requireVerification,
    codeHashes: keyedCode,
    ...(resetMail === undefined ? {} : { resetMail }),
    ...(pageResetMail === undefined ? {} : { pageResetMail }),
  };
  const signupStore = new KyselySignupStore(db);
  const signup = new Signup({
    store: signupStore,
    changes: events,
    courier,
    // Keyed by the current secret only: a challenge lives minutes, so one issued before a rotation is simply asked again.
    proof: new ProofOfWork({ key: secret.key.derive(CHALLENGE_KEY_PURPOSE), maxNumber: config.signup.challengeMaxNumber, ttlMs: config.signup.challengeTtlMs, store: signupStore, clock }),
    clock,
    config: config.signup,
  });
  const password: PasswordFlows = {
    registration: new Registration({ ...flowDeps, signup }),
    login: new PasswordLogin(flowDeps),
    change: new PasswordChange(flowDeps),
    reset: new PasswordReset(flowDeps),
    // The message is already in the outbox when the token commits: "delivering" only wakes the dispatcher.
    resetDelivery:
      resetMail !== undefined
        ? () => {
            mail.wake();
            return Promise.resolve();
          }
        : undefined,
    hasher,
  };
  // Messages are enqueued inside transactions; once the change that owes one has committed, the dispatcher is woken
  // rather than left to its next poll.
  // Registrations and logins wake it only when they owe a message: otherwise each would cost an outbox query.
  const waking = new Set([
    ...MAIL_WAKING_EVENTS,
    ...(verifyAtRegistration ? ['account.created', 'account.registration_repeated'] : []),
    ...(config.email.notifyNewSignIn ? ['login.succeeded'] : []),
  ]);
  events.on((event) => {
    if (waking.has(event.type)) mail.wake();
  });

  const accounts = new AccountsService({
    store: new KyselyAccountStore(db),
    changes: events,
    sessions,
    tokens,
    cancelPending,
    hasher,
    pseudonym: (email) => audit.pseudonym(email),
    clock,
    tokenFormat: config.tokens.format,
    reset: config.password.reset,
    resetDelivery: password.resetDelivery,
    ...(resetMail === undefined ? {} : { resetMail, resetVia: delivery === 'webhook' ? 'webhook' : 'email' }),
    // The seed's development flow hands reset tokens back; production never does.
    returnResetTokens: config.profile === 'development',
    idleTimeoutMs: config.sessions.idleTimeoutMs,
  });

  const limits = config.rateLimits;
  const redis = limits.enabled && limits.store === 'redis' && limits.redisUrl !== undefined ? await connectRedis(limits.redisUrl, limits.redisCommandTimeoutMs, limits.redisKeyPrefix) : undefined;
  const limiterStore: LimiterStore =
    redis !== undefined ? { kind: 'redis', client: redis } : limits.store === 'database' ? { kind: 'database', client: storage.client, tablePrefix: storage.tablePrefix } : { kind: 'memory' };
  const rateLimits = limits.enabled ? new RateLimits(limiterStore, limits) : undefined;
  redis?.on('error', (error: Error) => log.warn({ err: error }, 'redis unavailable: rate limits count in memory meanwhile'));
  if (redis !== undefined && redis.status !== 'ready') log.warn('redis not reachable at start: rate limits count in memory until it is');

  const purgeExpired = async (): Promise<Record<string, number>> => {
    const { deleted, endedIdle } = await sessions.purgeExpired();
    return {
      sessions: deleted,
      idleSessionsEnded: endedIdle,
      verificationTokens: await tokens.purgeExpired(clock()),
      rateLimitCounters: await purgeExpiredCounters(db, clock()),
      auditEvents: await audit.purgeExpired(),
      mailOutbox: await mail.purgeBefore(clock() - mailer.retentionMs),
      ...(await signup.purgeExpired()),
    };
  };
  const stopSweeper = options.sweeper === false ? () => Promise.resolve() : startSweeper(purgeExpired, config.sweeper.intervalMs, log);
  // An instance polls the outbox (a database query every few seconds) only when messages can leave it.
  const stopMail = options.mailDispatcher === false || (mailChannel === undefined && resetMail === undefined) ? () => Promise.resolve() : mail.start();

  log.info(
    {
      database: redactUrl(config.database.url),
      engine: storage.engine,
      tablePrefix: storage.tablePrefix,
      profile: config.profile,
      rateLimitStore: rateLimits === undefined ? 'off' : limiterStore.kind,
    },
    'sesame configured',
  );
  let closed = false;
  return {
    config,
    linkBase,
    storage,
    log,
    events,
    secret: secret.key,
    keys,
    audit,
    users,
    sessions,
    password,
    signup,
    mail,
    email,
    accounts,
    adminTokens: new AdminTokens({ store: new KyselyAdminTokenStore(db), clock, changes: events }),
    rateLimits,
    auth: new Auth({ users, sessions, password }),
    db: new DB(db, storage.traits),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    pingWithin: (ms) => within(ms, sql`select 1`.execute(db)),
    purgeExpired,
    async close() {
      if (closed) return;
      closed = true;
      await stopSweeper();
      await stopMail();
      mail.close();
      await policy.close();
      redis?.disconnect();
      if (ownsStorage) await storage.close();
    },
  };
}

/** Resolves as `work` does, or rejects with a `DatabaseUnavailableError` past `ms` (the work itself is not cancelled). */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(new Error(`no answer within ${ms} ms`))), ms);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens the Redis client and waits (at most 3 s) until it is ready, so the first requests are counted in Redis and
 * shared with the other instances; if Redis is down, the service still starts and counts in memory meanwhile.
 * A Redis that refuses fails each command at once (no offline queue); one that accepts and stops answering (paused,
 * overloaded, a black-holed network) fails it after `commandTimeoutMs`: either way the limiter counts that request in
 * memory, and the client reconnects by itself, so counting returns to Redis when it is back.
 */
async function connectRedis(url: string, commandTimeoutMs: number, keyPrefix: string): Promise<Redis> {
  // Imported here, not at the top: ioredis costs about 10 MiB and 30 ms, paid only by a deployment counting in Redis.
  const { Redis: RedisClient } = await import('ioredis');
  // The prefix is the client's (ioredis adds it to every key argument, the limiter's scripts included), so no caller
  // can forget it.
  const redis = new RedisClient(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: commandTimeoutMs, connectTimeout: 2000, keyPrefix });
  redis.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}
