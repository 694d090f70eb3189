/**
 * Every migration Sesame ships, in order: the one list the migration tests compare a database's bookkeeping with, so
 * a new migration is added in one place.
 * @module
 */
export const ALL_MIGRATIONS: readonly string[] = [
  '0001_users_and_sessions',
  '0002_rate_limits',
  '0003_session_last_used',
  '0004_session_end_reason',
  '0005_kernel_secrets',
  '0006_auth_events',
  '0007_verification_tokens',
  '0008_users_credential_version',
  '0009_users_disabled',
  '0010_sessions_devices',
  '0011_admin_tokens',
  '0012_mail_outbox',
  '0013_users_email_verified',
  '0014_verification_codes',
  '0015_mail_channels',
  '0016_signup_invitations',
];
