/**
 * Settings profiles: `development` keeps the seed's own flow working, `production` turns every protection on, and unsafe production combinations are refused.
 * @module
 */

/** The two profiles `SESAME_PROFILE` selects. */
export type Profile = 'development' | 'production';

/**
 * Defaults per profile, as the environment strings they stand for; an explicit variable always wins. Development
 * accepts the seed's 5-character example password and returns the reset token in the body, as the seed does.
 */
export const PROFILE_DEFAULTS: Record<Profile, Record<string, string>> = {
  development: {
    COOKIE_SECURE: 'false',
    COOKIE_NAME: 'session_id',
    TOKEN_FORMAT: 'uuid',
    PASSWORD_MIN_LENGTH: '1',
    PASSWORD_CHECK_COMMON: 'false',
    PASSWORD_MIN_SCORE: '0',
    RESET_TOKEN_DELIVERY: 'response',
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_IP_MAX: '1000',
    RATE_LIMIT_IP_WINDOW: '1m',
    RATE_LIMIT_ACCOUNT_MAX: '10',
    RATE_LIMIT_ACCOUNT_WINDOW: '15m',
    RATE_LIMIT_BLOCK_MAX: '1h',
    CSRF_PROTECTION: 'true',
    METRICS_ENABLED: 'false',
  },
  production: {
    COOKIE_SECURE: 'true',
    COOKIE_NAME: '__Host-session_id',
    TOKEN_FORMAT: 'random',
    PASSWORD_MIN_LENGTH: '15',
    PASSWORD_CHECK_COMMON: 'true',
    PASSWORD_MIN_SCORE: '3',
    RESET_TOKEN_DELIVERY: 'webhook',
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_IP_MAX: '60',
    RATE_LIMIT_IP_WINDOW: '1m',
    RATE_LIMIT_ACCOUNT_MAX: '5',
    RATE_LIMIT_ACCOUNT_WINDOW: '15m',
    RATE_LIMIT_BLOCK_MAX: '1h',
    CSRF_PROTECTION: 'true',
    METRICS_ENABLED: 'false',
  },
};

/** The settings {@link unsafeProductionSettings} inspects. */
export interface SafetyView {
  readonly cookieSecure: boolean;
  readonly passwordMinLength: number;
  readonly passwordCheckCommon: boolean;
  readonly passwordMinScore: number;
  readonly bcryptCost: number;
  readonly resetTokenDelivery: 'response' | 'webhook';
  readonly rateLimitEnabled: boolean;
  readonly rateLimitStore: 'memory' | 'redis' | 'database';
  readonly workers: number;
  readonly csrfProtection: boolean;
  readonly logLevel: string;
  readonly tokenFormat: 'uuid' | 'random';
  readonly resetWebhookUrl: string | undefined;
}

/** Lists, as "set X to Y: why" sentences, every setting that makes a production deployment unsafe; empty when all is well. */
export function unsafeProductionSettings(c: SafetyView): string[] {
  const problems: string[] = [];
  if (!c.cookieSecure) problems.push('set COOKIE_SECURE=true: without it the session cookie travels over plain HTTP');
  if (c.passwordMinLength < 8) {
    problems.push('set PASSWORD_MIN_LENGTH to 8 or more (15 recommended): NIST SP 800-63B forbids shorter passwords');
  }
  if (!c.passwordCheckCommon) problems.push('set PASSWORD_CHECK_COMMON=true: common passwords fall to the first guesses');
  if (c.passwordMinScore < 3) {
    problems.push('set PASSWORD_MIN_SCORE to 3 or 4: lower scores let long variations of common passwords through');
  }
  if (c.bcryptCost < 10) problems.push('set BCRYPT_COST to 10 or more (12 recommended): lower costs are cheap to crack');
  if (c.resetTokenDelivery === 'response') {
    problems.push(
      'set RESET_TOKEN_DELIVERY=webhook with RESET_WEBHOOK_URL: returning the reset token in the response lets anyone who knows an email take over the account',
    );
  }
  if (c.tokenFormat === 'uuid') {
    problems.push('set TOKEN_FORMAT=random: a v4 UUID carries 122 random bits, under the 128 OWASP ASVS 7.2.3 asks of session tokens');
  }
  if (c.resetWebhookUrl !== undefined && !isHttpsOrLoopback(c.resetWebhookUrl)) {
    problems.push('set RESET_WEBHOOK_URL to an https:// URL (or a loopback one): reset tokens must not cross a network in clear');
  }
  if (!c.rateLimitEnabled) problems.push('set RATE_LIMIT_ENABLED=true: without limits passwords can be guessed at full speed');
  if (c.rateLimitEnabled && c.workers > 1 && c.rateLimitStore === 'memory') {
    problems.push('set RATE_LIMIT_STORE=database or redis: with WORKERS > 1 an in-memory limit is counted per process');
  }
  if (!c.csrfProtection) problems.push('set CSRF_PROTECTION=true: without it another site can log a browser in or out');
  if (c.logLevel === 'trace') problems.push('set LOG_LEVEL to debug or higher: trace logging is for development only');
  return problems;
}

/** True for an https URL, or an http URL to this machine (a mailer sidecar), where no network sees the token. */
function isHttpsOrLoopback(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  } catch {
    return false;
  }
}
