import { randomBytes } from 'node:crypto';
import { AesGcmSecretBox, maskSecret } from '../../../src/adapters/secret-box/aes-gcm-secret-box';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const SESSION = 'a1b2c3d4e5f6g7h8i9j0';

describe('AesGcmSecretBox', () => {
  it('seals to v1.<keyId>.<iv>.<tag>.<ct> without the plaintext, and opens it', () => {
    const box = new AesGcmSecretBox({ primary: k1 });
    const sealed = box.seal(SESSION);
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(SESSION);
    expect(box.open(sealed)).toBe(SESSION);
  });

  it('uses a fresh iv each time', () => {
    const box = new AesGcmSecretBox({ primary: k1 });
    expect(box.seal(SESSION)).not.toBe(box.seal(SESSION));
  });

  it('rotation: text sealed with an old key opens while that key is configured; new text uses the primary', () => {
    const old = new AesGcmSecretBox({ primary: k1 }).seal(SESSION);
    const rotated = new AesGcmSecretBox({ primary: k2, others: [k1] });
    expect(rotated.open(old)).toBe(SESSION);
    expect(rotated.seal(SESSION).startsWith('v1.k2.')).toBe(true);
    expect(rotated.needsReseal(old)).toBe(true);
    expect(() => new AesGcmSecretBox({ primary: k2 }).open(old)).toThrow(/unknown key k1/);
  });

  it('refuses tampered text or a relabelled key id, without echoing the input', () => {
    const box = new AesGcmSecretBox({ primary: k1, others: [k2] });
    const parts = box.seal(SESSION).split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0]! ^= 1;
    const tampered = [...parts.slice(0, 4), flipped.toString('base64url')].join('.');
    expect(() => box.open(tampered)).toThrow(/failed authentication/);
    const relabelled = ['v1', 'k2', ...parts.slice(2)].join('.');
    expect(() => box.open(relabelled)).toThrow(/failed authentication/);
    expect(() => box.open(SESSION)).toThrow(/not sealed text/);
    try {
      box.open(`v1.k1.${SESSION}.x.y`);
    } catch (error) {
      expect((error as Error).message).not.toContain(SESSION);
    }
  });

  it('refuses keys that are not 32 bytes, bad ids, and duplicate ids', () => {
    expect(() => new AesGcmSecretBox({ primary: { id: 'k', key: randomBytes(16) } })).toThrow(/32/);
    expect(() => new AesGcmSecretBox({ primary: { id: 'a.b', key: randomBytes(32) } })).toThrow(/key id/);
    expect(() => new AesGcmSecretBox({ primary: k1, others: [k1] })).toThrow(/twice/);
  });
});

describe('maskSecret', () => {
  it('keeps the first 2 and last 2 characters', () => expect(maskSecret(SESSION)).toBe('a1****j0'));
  it('hides short secrets completely', () => expect(maskSecret('abcdefgh')).toBe('****'));
});
