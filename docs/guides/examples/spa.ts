import { createSesameClient, isSesameClientError } from 'sesame-auth/client';

/**
 * The sign-in part of a single-page app: Sesame answers on the page's own origin under /auth (any of the server
 * guides), so the browser keeps the session cookie and sends it with every call.
 */
export function createAccount(baseUrl = new URL('/auth', globalThis.location?.href).href) {
  const auth = createSesameClient({ baseUrl });
  return {
    /** Creates the account and signs in; resolves with a message for the page. */
    async signUp(email: string, password: string): Promise<string> {
      try {
        await auth.register({ email, password });
      } catch (error) {
        if (isSesameClientError(error, 'users.email_taken')) return 'This address already has an account: sign in.';
        if (isSesameClientError(error, 'password.weak')) return error.message;
        throw error;
      }
      return this.signIn(email, password);
    },
    /** Signs in; a wrong password or too many tries becomes a message instead of an exception. */
    async signIn(email: string, password: string): Promise<string> {
      try {
        await auth.login({ email, password });
        return `Signed in as ${(await auth.profile()).email}`;
      } catch (error) {
        if (isSesameClientError(error, 'login.invalid_credentials')) return 'Wrong email or password.';
        if (isSesameClientError(error, 'rate_limit.exceeded')) return `Too many tries: wait ${error.retryAfter ?? 60} s.`;
        throw error;
      }
    },
    /** Who is signed in, or null: the page calls it on load to pick what to show. */
    async currentEmail(): Promise<string | null> {
      try {
        return (await auth.profile()).email;
      } catch (error) {
        if (isSesameClientError(error, 'session.required')) return null;
        throw error;
      }
    },
    /** Ends this browser's session. */
    async signOut(): Promise<void> {
      await auth.logout();
    },
  };
}
