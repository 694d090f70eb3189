/**
 * `sesame webhook secret`: prints the `whsec_...` key the operator's mailer verifies reset webhooks with. It is derived
 * from `SECRET_KEY`, so it cannot be read from any setting; this is how an operator gets it without writing code.
 * @module
 */
import { loadSecretKey } from '../../kernel/secrets.js';
import { webhookSecret } from '../../modules/mail/index.js';
import { openStorage } from '../../sesame.js';
import { refuseOtherPrefixes, storageOptions } from './database.js';
import { EXIT, CommandError, settingsFromEnvironment, type Output } from './io.js';

/**
 * Prints the webhook secret of the configured `SECRET_KEY`; without one (development), of the key the server keeps in
 * the database, loaded (or generated) by the server's own `loadSecretKey`, so both always agree.
 */
export async function printWebhookSecret(out: Output): Promise<void> {
  const { secrets, database } = settingsFromEnvironment();
  // A configured key needs no database: the secret can be read where the database is out of reach.
  let key = secrets.key;
  if (key === undefined) {
    // It may write: the key the server would generate at its first start is generated (and kept) here, so both agree.
    await refuseOtherPrefixes(database);
    let storage;
    try {
      storage = await openStorage(database.url, storageOptions(database));
    } catch (error) {
      throw new CommandError(error instanceof Error ? error.message : String(error), EXIT.failed);
    }
    try {
      const loaded = await loadSecretKey(storage.kysely, undefined, Date.now());
      key = loaded.key;
      // On stderr, not in a log line on stdout: stdout is the secret alone, for `$(sesame webhook secret)`.
      if (loaded.generated) process.stderr.write('sesame: SECRET_KEY is not set: generated one and kept it in the database (development only)\n');
    } finally {
      await storage.close();
    }
  }
  out.result({ secret: webhookSecret(key) }, ({ secret }) => secret);
}
