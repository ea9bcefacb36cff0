import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a secret the embedded profile keeps under DATA_DIR, creating it (mode 0600, never
 * overwriting) on first start. Returns whether it was created, so the caller can tell the user once.
 */
export function readOrCreateSecretFile(
  dataDir: string,
  name: string,
  create: () => string,
): { text: string; file: string; created: boolean } {
  const file = join(dataDir, name);
  if (existsSync(file)) return { text: readFileSync(file, 'utf8'), file, created: false };
  mkdirSync(dataDir, { recursive: true });
  const text = create();
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  return { text, file, created: true };
}
