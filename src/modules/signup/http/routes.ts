/**
 * `GET /users/challenge`: a proof-of-work challenge for a JSON client to solve before `POST /users`, when
 * `REGISTRATION_CHALLENGE=all` asks for one (the hosted page embeds its own). README "Sign-up" says how to solve it.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { documented } from '../../../kernel/http/responses.js';
import type { Signup } from '../service.js';

/** What the route needs. */
export interface SignupRoutesDeps {
  readonly signup: Signup;
}

/** The challenge as the route answers it (Altcha's v1 shape). */
const challengeReply = {
  type: 'object',
  properties: {
    algorithm: { type: 'string', enum: ['SHA-256'] },
    challenge: { type: 'string', description: 'SHA-256 (hex) of `salt` followed by the secret number in decimal' },
    maxnumber: { type: 'integer', description: 'The largest the number may be' },
    salt: { type: 'string', description: 'Send it back unchanged: it carries the signed expiry' },
    signature: { type: 'string', description: 'HMAC of `challenge` by the server: send it back unchanged' },
  },
  required: ['algorithm', 'challenge', 'maxnumber', 'salt', 'signature'],
} as const;

/** Registers `GET /users/challenge`: 200 with a fresh challenge, `no-store` (each is spent once). */
export function signupRoutes(app: FastifyInstance, { signup }: SignupRoutesDeps): void {
  app.get(
    '/users/challenge',
    {
      schema: {
        operationId: 'registrationChallenge',
        summary: 'A proof-of-work challenge for POST /users: find the number, send base64 of {algorithm, challenge, number, salt, signature} as `altcha`',
        tags: ['seed'],
        // It refuses nothing: no body, no parameter, no session, no database (the lint test lists it with GET /).
        response: { 200: documented(challengeReply, 'A challenge, good for REGISTRATION_CHALLENGE_TTL and one sign-up') },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return signup.issueChallenge();
    },
  );
}
