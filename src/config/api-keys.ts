import { randomBytes } from 'node:crypto';
import { ConfigError } from './config';
import { readOrCreateSecretFile } from './secret-file';

export const API_ROLES = ['admin', 'service', 'viewer'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiKey {
  /** Names the key in logs and idempotency scopes without revealing it: `<role>-<n>`. */
  name: string;
  key: string;
  role: ApiRole;
}

/** `API_KEYS` = `secret:role[,secret:role…]`. */
export function parseApiKeys(text: string): ApiKey[] {
  const keys = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index) => {
      const colon = entry.lastIndexOf(':');
      const key = entry.slice(0, colon);
      const role = entry.slice(colon + 1) as ApiRole;
      if (colon <= 0 || !API_ROLES.includes(role)) {
        throw new ConfigError(
          `API_KEYS entries must look like secret:role with role one of ${API_ROLES.join(', ')}`,
        );
      }
      if (key.length < 16) throw new ConfigError('API_KEYS secrets must be at least 16 characters');
      return { name: `${role}-${index + 1}`, key, role };
    });
  if (keys.length === 0) throw new ConfigError('API_KEYS is empty');
  return keys;
}

/**
 * Without `API_KEYS`, the embedded profile generates one admin key into `DATA_DIR/api-keys`
 * (mode 0600) on first start and reports it through `onCreated` exactly once; later starts reuse it.
 */
export function loadApiKeys(options: {
  apiKeys: string | undefined;
  dataDir: string;
  createIfMissing: boolean;
  onCreated: (key: ApiKey, file: string) => void;
}): ApiKey[] {
  if (options.apiKeys) return parseApiKeys(options.apiKeys);
  if (!options.createIfMissing) throw new ConfigError('API_KEYS is required (secret:role,…)');
  const { text, file, created } = readOrCreateSecretFile(
    options.dataDir,
    'api-keys',
    () => `jo_admin_${randomBytes(24).toString('base64url')}:admin\n`,
  );
  const keys = parseApiKeys(text);
  if (created) options.onCreated(keys[0]!, file);
  return keys;
}
