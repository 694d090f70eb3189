/**
 * The messages Sesame writes, in English, plain text: each carries its link and the raw code, for a reader whose
 * mail client breaks links.
 * @module
 */
import type { NewMessage } from './store.js';

/** The "reset your password" message for `recipient`, with a link under `baseUrl` carrying `token`. */
export function resetPasswordMessage(recipient: string, baseUrl: string, token: string, ttlMinutes: number): NewMessage {
  const link = `${baseUrl}/account/reset?token=${encodeURIComponent(token)}`;
  return {
    kind: 'password_reset',
    recipient,
    subject: 'Reset your password',
    text: [
      'Someone (hopefully you) asked to reset the password of this account.',
      '',
      'To choose a new password, open this link:',
      link,
      '',
      `Or enter this code: ${token}`,
      '',
      `The link works once and for ${ttlMinutes} minutes. If you did not ask for it, ignore this message: your password stays as it is.`,
      '',
    ].join('\n'),
  };
}
