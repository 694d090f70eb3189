/**
 * The admin API's routes: list and search accounts, create one, show one (with its sessions and recent events),
 * disable, enable, delete, end its sessions, force a password reset, send an invitation to sign up, and read the audit log. Each calls the accounts service with the
 * token's identity as the actor, so every change is audited as `admin-token:<id>`. Every answer is written by the
 * shared serialisers of `json.ts` (snake_case, ISO 8601 times, `detail` an object), which `sesame --json` prints too,
 * and documented by the schemas beside them.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventContext } from '../../kernel/events.js';
import { requestContext } from '../../kernel/http/event-context.js';
import { documented, refusals } from '../../kernel/http/responses.js';
import type { Sesame } from '../../sesame.js';
import { accountDetailsJson, accountJson, ADMIN_REPLIES, auditEventJson, disabledJson, enabledJson, forcedResetJson, invitationJson, sessionsEndedJson } from './json.js';
import { adminIdentity } from './token-check.js';

/** `:id` in every account route. */
const ID_PARAMS = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'], additionalProperties: false } as const;

/** Every admin route can refuse a missing token (401), a bad input (400) and be cut off from its database (503). */
const COMMON = refusals(['database'], { 400: 'A parameter is out of range (`request.invalid`, `account.invalid_page`)', 401: 'No valid admin token (`admin.unauthorized`)' });

/** The same, for routes on one account, which also answer 404 for an id no account has. */
const ON_ACCOUNT = { ...COMMON, ...refusals([], { 404: 'No account has this id (`account.not_found`)' }) };

/** The audit context of an admin request: the request's own, acted by the token. */
function adminContext(request: FastifyRequest): EventContext {
  return { ...requestContext(request), actor: adminIdentity(request).actor };
}

/** Registers the routes under `/admin`. */
export function adminRoutes(app: FastifyInstance, sesame: Sesame): void {
  const { accounts } = sesame;

  app.get<{ Querystring: { email_prefix?: string; state?: 'active' | 'disabled'; limit?: number; offset?: number } }>(
    '/admin/users',
    {
      schema: {
        operationId: 'adminListUsers',
        summary: 'Accounts, a page at a time, by email prefix and state',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: {
            email_prefix: { type: 'string', maxLength: 320 },
            state: { type: 'string', enum: ['active', 'disabled'] },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
          additionalProperties: false,
        },
        response: { 200: documented(ADMIN_REPLIES.users, 'A page of accounts (`users`), ordered by id'), ...COMMON },
      },
    },
    async (request) => {
      const { email_prefix: emailPrefix, state, limit = 50, offset = 0 } = request.query;
      const page = await accounts.list({ ...(emailPrefix === undefined ? {} : { emailPrefix }), ...(state === undefined ? {} : { state }), limit, offset });
      return { users: page.map(accountJson) };
    },
  );

  app.post<{ Body: { email: string; password: string; unverified?: boolean } }>(
    '/admin/users',
    {
      schema: {
        operationId: 'adminCreateUser',
        summary: 'Creates an account, as `sesame users create` does, whatever REGISTRATION says (operators create the accounts of a closed service); its address counts as verified unless `unverified`',
        tags: ['admin'],
        consumes: ['application/json'],
        body: {
          type: 'object',
          properties: {
            email: { type: 'string', minLength: 1, maxLength: 320 },
            password: { type: 'string', minLength: 1, maxLength: 1024 },
            unverified: { type: 'boolean', description: 'Leave the address unverified: the owner proves it from the verification mail' },
          },
          required: ['email', 'password'],
          additionalProperties: false,
        },
        response: {
          200: documented(ADMIN_REPLIES.created, 'Created: the account'),
          // Operators are told when an address is taken (the public sign-up is what must not tell).
          ...COMMON,
          // After COMMON, whose 400 speaks of parameters: this route's 400 is about its body.
          ...refusals(['body'], {
            400: 'A field is missing or malformed (`request.invalid`), the address is invalid or taken (`users.invalid_email`, `users.email_taken`), or the policy refuses the password (`password.weak`, `password.too_costly`)',
          }),
        },
      },
    },
    async (request) => {
      const { email, password, unverified } = request.body;
      const created = await sesame.password.registration.register(email, password, adminContext(request), unverified === true ? {} : { emailVerifiedAt: Date.now() });
      const account = await accounts.find(created.id);
      if (account === undefined) throw new Error(`account ${created.id} vanished right after its creation`);
      return { message: 'account created', ...accountJson(account) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/admin/users/:id',
    {
      schema: {
        operationId: 'adminShowUser',
        summary: 'One account, with its live sessions (as handles), its recent events and its recent mail (status, never bodies)',
        tags: ['admin'],
        params: ID_PARAMS,
        response: { 200: documented(ADMIN_REPLIES.user, 'The account, its sessions, its 20 most recent events and messages'), ...ON_ACCOUNT },
      },
    },
    async (request) => {
      const details = await accounts.show(request.params.id);
      // Delivery problems show where an operator looks when someone says "I never got the mail".
      return accountDetailsJson(details, await sesame.mail.recentFor(details.account.email));
    },
  );

  app.post<{ Params: { id: number }; Body: { reason?: string } }>(
    '/admin/users/:id/disable',
    {
      schema: {
        operationId: 'adminDisableUser',
        summary: 'Disables an account: its sessions end, its reset links and a pending change of address die, its logins answer as a wrong password, until enabled',
        tags: ['admin'],
        params: ID_PARAMS,
        consumes: ['application/json'],
        body: { type: 'object', properties: { reason: { type: 'string', maxLength: 256 } }, additionalProperties: false },
        response: { 200: documented(ADMIN_REPLIES.disabled, 'Disabled; how many sessions ended; `already_disabled` when it was (nothing changed, no event)'), ...refusals(['body']), ...ON_ACCOUNT },
      },
      // The reason is optional, so no body at all (`curl -X POST` with no data and no content type) means none: it is
      // validated as the empty object rather than refused as "not an object".
      preValidation: (request, _reply, done) => {
        if (request.body === undefined || request.body === null) request.body = {};
        done();
      },
    },
    async (request) => {
      const result = await accounts.disable(request.params.id, request.body?.reason ?? '', adminContext(request));
      // A repeat is a success that says so, not a 409: the account is in the state asked for, and a retried request
      // (a timeout, a script run twice) must not look like a failure.
      return { message: result.alreadyDisabled ? 'account already disabled: nothing changed' : 'account disabled', ...disabledJson(result) };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/admin/users/:id/enable',
    {
      schema: {
        operationId: 'adminEnableUser',
        summary: 'Enables a disabled account (its password works again)',
        tags: ['admin'],
        params: ID_PARAMS,
        response: { 200: documented(ADMIN_REPLIES.enabled, 'Enabled; `already_enabled` when it was not disabled (nothing changed, no event)'), ...ON_ACCOUNT },
      },
    },
    async (request) => {
      const result = await accounts.enable(request.params.id, adminContext(request));
      return { message: result.alreadyEnabled ? 'account already enabled: nothing changed' : 'account enabled', ...enabledJson(result) };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/admin/users/:id',
    {
      schema: {
        operationId: 'adminDeleteUser',
        summary: 'Deletes an account with its sessions and tokens; its audit events stay, pseudonymised',
        tags: ['admin'],
        params: ID_PARAMS,
        response: { 200: documented(ADMIN_REPLIES.deleted, 'Deleted'), ...ON_ACCOUNT },
      },
    },
    async (request) => {
      await accounts.delete(request.params.id, adminContext(request));
      return { message: 'account deleted' };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/admin/users/:id/revoke-sessions',
    {
      schema: {
        operationId: 'adminRevokeSessions',
        summary: 'Ends every session of an account, spends its reset links and cancels a pending change of address',
        tags: ['admin'],
        params: ID_PARAMS,
        response: { 200: documented(ADMIN_REPLIES.sessionsEnded, 'How many sessions ended'), ...ON_ACCOUNT },
      },
    },
    async (request) => sessionsEndedJson(await accounts.revokeSessions(request.params.id, adminContext(request))),
  );

  app.post<{ Params: { id: number } }>(
    '/admin/users/:id/force-reset',
    {
      schema: {
        operationId: 'adminForceReset',
        summary: 'Ends every session, makes the password unusable and sends a reset through the configured delivery',
        tags: ['admin'],
        params: ID_PARAMS,
        response: { 200: documented(ADMIN_REPLIES.forcedReset, 'How many sessions ended and how the reset went out'), ...ON_ACCOUNT },
      },
    },
    async (request) => forcedResetJson(await accounts.forceReset(request.params.id, adminContext(request))),
  );

  app.post<{ Body: { email: string; language?: 'en' | 'fr' } }>(
    '/admin/invitations',
    {
      schema: {
        operationId: 'adminInvite',
        summary: 'Mails a single-use invitation to sign up with this address (valid INVITATION_TTL); its link opens the sign-up page with the address fixed, in every REGISTRATION mode',
        tags: ['admin'],
        consumes: ['application/json'],
        body: {
          type: 'object',
          properties: { email: { type: 'string', minLength: 1, maxLength: 320 }, language: { type: 'string', enum: ['en', 'fr'], description: 'The language of the mail (default en)' } },
          required: ['email'],
          additionalProperties: false,
        },
        response: {
          200: documented(ADMIN_REPLIES.invitation, 'Sent: the address and when the link stops working (never the token, which only the mail carries)'),
          ...COMMON,
          ...refusals(['body'], { 400: 'A field is missing or malformed (`request.invalid`), or the address is invalid (`users.invalid_email`)', 409: 'No way to send mail is configured (`signup.invitation_undeliverable`)' }),
        },
      },
    },
    async (request) => {
      const sent = await sesame.signup.invite(request.body.email, adminContext(request), request.body.language ?? 'en');
      return { message: 'invitation sent', ...invitationJson(sent) };
    },
  );

  app.get<{ Querystring: { user_id?: number; type?: string; limit?: number; before_id?: number } }>(
    '/admin/events',
    {
      schema: {
        operationId: 'adminListEvents',
        summary: 'The audit log, newest first, by account and type, a page at a time (`before_id`)',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: {
            user_id: { type: 'integer', minimum: 1 },
            type: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            before_id: { type: 'integer', minimum: 1 },
          },
          additionalProperties: false,
        },
        response: { 200: documented(ADMIN_REPLIES.events, 'The newest events (`events`); the next page: `before_id` = the last event\'s id'), ...COMMON },
      },
    },
    async (request) => {
      const { user_id: userId, type, limit = 100, before_id: beforeId } = request.query;
      const filter = { ...(userId === undefined ? {} : { userId }), ...(type === undefined ? {} : { type }), ...(beforeId === undefined ? {} : { beforeId }), limit };
      return { events: (await sesame.audit.list(filter)).map(auditEventJson) };
    },
  );
}
