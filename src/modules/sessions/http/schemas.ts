/**
 * The sessions module's route schemas: the session list and the route that ends sessions from it.
 * @module
 */
import { fields, password } from '../../../kernel/http/schemas.js';

/** `POST /sessions/end` form: the password again, and which sessions to end. */
export const endSessionsBody = fields({
  password,
  // The description is also the refusal's wording (`session must be ...`), so it reads as what the field must be.
  session: { type: 'string', pattern: '^([0-9a-f]{16}|others|all)$', description: 'a session id from GET /sessions, "others" or "all"' },
});
/** Body of `POST /sessions/end`. */
export interface EndSessionsBody {
  /** The current password: ending sessions needs it again (ASVS V7.5.2). */
  password: string;
  /** A session's `id` from `GET /sessions`, `others` (all but this one) or `all` (this one too). */
  session: string;
}
/** `GET /sessions`: the user's live sessions, newest first. */
export const sessionListReply = {
  type: 'object',
  properties: {
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' },
          expires_at: { type: 'string', format: 'date-time' },
          current: { type: 'boolean' },
          user_agent: { type: 'string', nullable: true, description: 'The User-Agent it was last used with (cut to 256 characters), or null when none was recorded' },
          ip: { type: 'string', nullable: true, description: 'The client address it was last used from, or null when none was recorded' },
          last_seen_at: { type: 'string', format: 'date-time', description: 'When it was last used (recorded at most once a minute); its start until then' },
        },
        required: ['id', 'created_at', 'expires_at', 'current', 'user_agent', 'ip', 'last_seen_at'],
      },
    },
  },
  required: ['sessions'],
} as const;
/** `POST /sessions/end`: how many sessions ended. */
export const endSessionsReply = {
  type: 'object',
  properties: { message: { type: 'string' }, ended: { type: 'integer' } },
  required: ['message', 'ended'],
} as const;
