/**
 * The account owner's route schemas: the events page, the deletion form and the export (validation, serialisation
 * and the OpenAPI document come from these). Times are ISO 8601, as `GET /sessions` gives them.
 * @module
 */
import { fields, password } from '../../../kernel/http/schemas.js';

/**
 * A page number as the query string carries it; the digits are checked by the route, whose refusal says what is
 * wrong (the validator's wording for a pattern speaks of email addresses).
 */
const PAGE_NUMBER = { type: 'string', maxLength: 9 } as const;

/** `?limit=&offset=` of `GET /profile/events`. */
export const eventsQuery = {
  type: 'object',
  properties: {
    limit: { ...PAGE_NUMBER, description: 'Events per page, 1 to 100 (default 50)' },
    offset: { ...PAGE_NUMBER, description: 'Events to skip, newest first (default 0)' },
  },
} as const;

/** Query of `GET /profile/events`. */
export interface EventsQuery {
  /** Events per page. */
  limit?: string;
  /** Events to skip. */
  offset?: string;
}

/** `DELETE /profile` form. */
export const deleteProfileBody = fields({ password });

/** Body of `DELETE /profile`. */
export interface DeleteProfileBody {
  /** The current password: deleting an account needs it again, like every other password-guarded change. */
  password: string;
}

const nullableString = { type: 'string', nullable: true } as const;
const nullableTime = { type: 'string', format: 'date-time', nullable: true } as const;
const time = { type: 'string', format: 'date-time' } as const;

/** One audit event as the owner sees it. */
const eventItem = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    actor: { type: 'string' },
    created_at: time,
    request_id: nullableString,
    ip: nullableString,
    user_agent: nullableString,
    detail: { type: 'object', nullable: true, additionalProperties: true },
  },
  required: ['type', 'actor', 'created_at', 'request_id', 'ip', 'user_agent', 'detail'],
} as const;

/** `GET /profile/events`: a page of the owner's audit events, newest first. */
export const eventsReply = {
  type: 'object',
  properties: { events: { type: 'array', items: eventItem } },
  required: ['events'],
} as const;

/** `GET /profile/export`: the account without any hash, its sessions as handles with their times, its events. */
export const exportReply = {
  type: 'object',
  properties: {
    account: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        email: { type: 'string' },
        state: { type: 'string', enum: ['active', 'disabled'] },
        created_at: time,
        updated_at: time,
        disabled_at: nullableTime,
        disabled_reason: nullableString,
        email_verified_at: nullableTime,
        language: { type: 'string' },
      },
      required: ['id', 'email', 'state', 'created_at', 'updated_at', 'disabled_at', 'disabled_reason', 'email_verified_at', 'language'],
    },
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          created_at: time,
          expires_at: time,
          last_used_at: nullableTime,
          ended_at: nullableTime,
          end_reason: nullableString,
          current: { type: 'boolean' },
        },
        required: ['id', 'created_at', 'expires_at', 'last_used_at', 'ended_at', 'end_reason', 'current'],
      },
    },
    events: { type: 'array', items: eventItem },
    mail: {
      type: 'array',
      description: 'The messages sent (or waiting to be sent) to the account\'s address, newest first, kept until MAIL_RETENTION: never a body',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          channel: { type: 'string', enum: ['email', 'webhook'] },
          status: { type: 'string', enum: ['pending', 'sending', 'sent', 'failed', 'suppressed'] },
          attempts: { type: 'integer' },
          created_at: time,
          sent_at: nullableTime,
        },
        required: ['kind', 'channel', 'status', 'attempts', 'created_at', 'sent_at'],
      },
    },
  },
  required: ['account', 'sessions', 'events', 'mail'],
} as const;
