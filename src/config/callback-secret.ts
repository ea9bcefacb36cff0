import { randomBytes } from 'node:crypto';
import { ConfigError } from './config';
import { readOrCreateSecretFile } from './secret-file';

/** The HMAC key callbacks are signed with: CALLBACK_SECRET, or a generated one in the embedded profile. */
export function loadCallbackSecret(options: {
  callbackSecret: string | undefined;
  dataDir: string;
  createIfMissing: boolean;
}): string {
  if (options.callbackSecret) return options.callbackSecret;
  if (!options.createIfMissing) throw new ConfigError('CALLBACK_SECRET is required to sign callbacks');
  return readOrCreateSecretFile(options.dataDir, 'callback-secret', () =>
    randomBytes(32).toString('base64url'),
  ).text.trim();
}
