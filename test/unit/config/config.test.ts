import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiKeys, parseApiKeys } from '../../../src/config/api-keys';
import { ConfigError, loadConfig } from '../../../src/config/config';
import { loadSecretKeys } from '../../../src/config/secret-keys';

describe('configuration from the environment', () => {
  it('defaults to the embedded profile on port 3000 with the built-in simulator', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PROFILE: 'embedded',
      PORT: 3000,
      DATA_DIR: './data',
      SIMULATOR_PORT: 5100,
    });
    expect(config.JIMENG_BASE_URL).toBeUndefined();
    expect(config.ROLE).toEqual(['all']);
  });

  it('names every variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(
      /PORT.*LOG_LEVEL|LOG_LEVEL.*PORT/,
    );
  });

  it('refuses the production profile without its three servers', () => {
    expect(() => loadConfig({ PROFILE: 'production', KAFKA_BROKERS: 'k:9092' })).toThrow(
      new ConfigError('PROFILE=production needs ESDB_URL, MONGO_URL'),
    );
  });

  it('reads a list of roles', () => {
    expect(loadConfig({ ROLE: 'api,worker' }).ROLE).toEqual(['api', 'worker']);
    expect(() => loadConfig({ ROLE: 'api,janitor' })).toThrow(/ROLE/);
  });
});

describe('API keys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jo-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses secret:role pairs and refuses unknown roles and short secrets', () => {
    expect(parseApiKeys('aaaaaaaaaaaaaaaa:admin, bbbbbbbbbbbbbbbb:viewer')).toEqual([
      { name: 'admin-1', key: 'aaaaaaaaaaaaaaaa', role: 'admin' },
      { name: 'viewer-2', key: 'bbbbbbbbbbbbbbbb', role: 'viewer' },
    ]);
    expect(() => parseApiKeys('aaaaaaaaaaaaaaaa:root')).toThrow(ConfigError);
    expect(() => parseApiKeys('short:admin')).toThrow(/16 characters/);
  });

  it('generates one admin key on first start, reports it once, and reuses it afterwards', () => {
    const reported: string[] = [];
    const first = loadApiKeys({
      apiKeys: undefined,
      dataDir: dir,
      createIfMissing: true,
      onCreated: (k) => reported.push(k.key),
    });
    const second = loadApiKeys({
      apiKeys: undefined,
      dataDir: dir,
      createIfMissing: true,
      onCreated: (k) => reported.push(k.key),
    });
    expect(first).toEqual(second);
    expect(first[0]!.role).toBe('admin');
    expect(reported).toEqual([first[0]!.key]);
    expect(statSync(join(dir, 'api-keys')).mode & 0o777).toBe(0o600);
  });

  it('refuses to invent keys where it must not (production)', () => {
    expect(() =>
      loadApiKeys({ apiKeys: undefined, dataDir: dir, createIfMissing: false, onCreated: () => undefined }),
    ).toThrow(/API_KEYS is required/);
  });
});

describe('secret keys for sealing session ids', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jo-secret-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 32-byte key file with mode 0600 once and reuses it', () => {
    const first = loadSecretKeys({ secretKeys: undefined, dataDir: dir, createIfMissing: true });
    const second = loadSecretKeys({ secretKeys: undefined, dataDir: dir, createIfMissing: true });
    expect(first.primary.key).toHaveLength(32);
    expect(second.primary.key.equals(first.primary.key)).toBe(true);
    expect(statSync(join(dir, 'secret-keys')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secret-keys'), 'utf8')).toContain(first.primary.id);
  });

  it('takes the first configured key as primary and keeps the others for rotation', () => {
    const a = Buffer.alloc(32, 1).toString('base64');
    const b = Buffer.alloc(32, 2).toString('base64');
    const keys = loadSecretKeys({ secretKeys: `new:${a},old:${b}`, dataDir: dir, createIfMissing: false });
    expect(keys.primary.id).toBe('new');
    expect(keys.others.map((k) => k.id)).toEqual(['old']);
  });

  it('refuses keys of the wrong size and a missing key in production', () => {
    expect(() => loadSecretKeys({ secretKeys: 'k:c2hvcnQ=', dataDir: dir, createIfMissing: false })).toThrow(
      /32 bytes/,
    );
    expect(() => loadSecretKeys({ secretKeys: undefined, dataDir: dir, createIfMissing: false })).toThrow(
      /SECRET_KEYS is required/,
    );
  });
});
