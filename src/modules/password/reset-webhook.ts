/**
 * Out-of-band delivery of reset tokens: Sesame posts `{email, reset_token}` to the operator's mailer instead of returning the token to whoever asked.
 * @module
 */

/** Hands a fresh reset token to whatever will bring it to the account's owner (a mailer, an SMS gateway...). */
export type ResetTokenSender = (email: string, resetToken: string) => Promise<void>;

/** A sender that POSTs JSON to a webhook URL and fails on a non-2xx answer or after `timeoutMs`. */
export function webhookSender(url: string, timeoutMs = 5000): ResetTokenSender {
  return async (email, resetToken) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, reset_token: resetToken }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Never put the body or token in the error: it would end up in a log line.
    if (!response.ok) throw new Error(`reset webhook answered ${response.status}`);
  };
}
