import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Known keys of the e2e tests, one per role. */
export const TEST_KEYS = {
  admin: 'e2e-admin-key-0123456789',
  service: 'e2e-service-key-0123456789',
  viewer: 'e2e-viewer-key-0123456789',
} as const;

export const TEST_API_KEYS = Object.entries(TEST_KEYS)
  .map(([role, key]) => `${key}:${role}`)
  .join(',');

/**
 * The environment of an embedded runtime for tests: loopback only, free ports, the built-in
 * simulator (JIMENG_BASE_URL unset) at a small time scale, quiet logs. `overrides` wins; a value
 * `undefined` removes the variable.
 */
export function embeddedEnv(
  dataDir: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PROFILE: 'embedded',
    ROLE: 'all',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    API_KEYS: TEST_API_KEYS,
    SIMULATOR_PORT: '0',
    SIMULATOR_TIME_SCALE: '0.0005',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export interface TempDir {
  path: string;
  remove(): void;
}

/**
 * A fresh temporary DATA_DIR; `remove` deletes it with everything in it. Make it in `beforeAll`
 * (not in a describe body), so a filtered-out describe leaves nothing behind.
 */
export function tempDataDir(label: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `jimeng-e2e-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
