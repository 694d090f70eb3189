/**
 * The seed's `Auth` class, kept as a thin facade over the modules so its names stay findable and its contract tested:
 * `registerUser`, `validLogin`, `createSession`, `getUserFromSessionId`, `destroySession`, `getResetPasswordToken`,
 * `updatePassword`, plus `destroyAllSessions` for the departure that ends every session on a reset.
 * @module
 */
import { normaliseEmail, NoResultFoundError, type User, type UserStore } from '../modules/users/index.js';
import type { SessionService } from '../modules/sessions/index.js';
import type { PasswordLogin, PasswordReset, Registration } from '../modules/password/index.js';

/** The services the facade delegates to (a `Sesame` instance carries them all). */
export interface AuthServices {
  readonly users: UserStore;
  readonly sessions: SessionService;
  readonly password: { readonly registration: Registration; readonly login: PasswordLogin; readonly reset: PasswordReset };
}

/** The seed's `Auth`: every rule about who may do what, in the seed's words; `sesame.auth` is one. */
export class Auth {
  readonly #services: AuthServices;

  /** Takes the services to delegate to. */
  constructor(services: AuthServices) {
    this.#services = services;
  }

  /** Creates an account; a taken email raises `UserAlreadyExistsError` (`User <email> already exists`), a refused password `WeakPasswordError`. */
  async registerUser(email: string, password: string): Promise<User> {
    return this.#services.password.registration.register(email, password);
  }

  /** True only when the email has an account and the password matches it (equal work either way, see `PasswordLogin.verify`). */
  async validLogin(email: string, password: string): Promise<boolean> {
    return (await this.#services.password.login.verify(email, password)) !== null;
  }

  /** Starts a new session for the user with this email and returns its id; the user's other sessions stay valid. */
  async createSession(email: string): Promise<string> {
    const user = await this.#services.users.findBy({ email: normaliseEmail(email) });
    return this.#services.sessions.create(user.id);
  }

  /** The user a live session belongs to, or null for a missing, unknown or expired id; one indexed query. */
  async getUserFromSessionId(sessionId: string | null | undefined): Promise<User | null> {
    return (await this.#services.sessions.validate(sessionId))?.user ?? null;
  }

  /** Ends the one session presented (log out on this device); false when there was no live session to end. */
  async destroySession(sessionId: string | null | undefined): Promise<boolean> {
    return this.#services.sessions.end(sessionId, 'logout');
  }

  /** Ends every session of a user (after a password reset, or "log out everywhere"); returns how many ended. */
  async destroyAllSessions(userId: number): Promise<number> {
    return this.#services.sessions.endAllOfUser(userId, 'revoked');
  }

  /** Issues a new reset token for a registered email (replacing any earlier one); an unknown email raises `NoResultFoundError`. */
  async getResetPasswordToken(email: string): Promise<string> {
    const issued = await this.#services.password.reset.request(email);
    if (issued === null) throw new NoResultFoundError('no user matches email');
    return issued.token;
  }

  /**
   * Sets a new password through a reset token, spends the token and ends every session of the user; with `email`, a
   * token issued to another account is refused too. A bad token raises `InvalidResetTokenError`.
   */
  async updatePassword(resetToken: string, password: string, email?: string): Promise<User> {
    return this.#services.password.reset.reset(resetToken, password, email);
  }
}
