import { randomBytes } from 'node:crypto';
import type { SecretKey } from '../adapters/secret-box/aes-gcm-secret-box';
import { ConfigError } from './config';
import { readOrCreateSecretFile } from './secret-file';

/**
 * `SECRET_KEYS` = `id:base64key[,id:base64key…]`, the first one sealing new text and the others
 * only opening old text (key rotation: put the new key first, keep the old ones until every sealed
 * session was re-sealed). Without it the embedded profile keeps a generated key in
 * `DATA_DIR/secret-keys` (mode 0600); the production profile refuses to start.
 */
export function parseSecretKeys(text: string): { primary: SecretKey; others: SecretKey[] } {
  const keys = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new ConfigError('SECRET_KEYS entries must look like id:base64key');
      const id = entry.slice(0, colon);
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (key.length !== 32) throw new ConfigError(`SECRET_KEYS key ${id} must be 32 bytes (base64)`);
      return { id, key };
    });
  const [primary, ...others] = keys;
  if (!primary) throw new ConfigError('SECRET_KEYS is empty');
  return { primary, others };
}

export function loadSecretKeys(options: {
  secretKeys: string | undefined;
  dataDir: string;
  createIfMissing: boolean;
}): { primary: SecretKey; others: SecretKey[] } {
  if (options.secretKeys) return parseSecretKeys(options.secretKeys);
  if (!options.createIfMissing) {
    throw new ConfigError(
      'SECRET_KEYS is required (id:base64 of 32 random bytes, e.g. `openssl rand -base64 32`)',
    );
  }
  const { text } = readOrCreateSecretFile(
    options.dataDir,
    'secret-keys',
    () => `k${Date.now().toString(36)}:${randomBytes(32).toString('base64')}\n`,
  );
  return parseSecretKeys(text);
}
