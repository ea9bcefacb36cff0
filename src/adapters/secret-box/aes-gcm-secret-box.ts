import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretBox } from '../../ports/secret-box';

export interface SecretKey {
  /** Short name written into sealed text; [A-Za-z0-9_-]+. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface AesGcmSecretBoxOptions {
  /** Seals new text. */
  primary: SecretKey;
  /** Retired keys that still open old text. */
  others?: SecretKey[];
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]+$/;

export class SecretBoxError extends Error {
  readonly code = 'SECRET_BOX';
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** AES-256-GCM; sealed text is `v1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts. */
export class AesGcmSecretBox implements SecretBox {
  private readonly primary: SecretKey;
  private readonly keys = new Map<string, Buffer>();

  constructor(options: AesGcmSecretBoxOptions) {
    for (const { id, key } of [options.primary, ...(options.others ?? [])]) {
      if (!KEY_ID.test(id))
        throw new SecretBoxError(`secret key id ${JSON.stringify(id)} is not [A-Za-z0-9_-]+`);
      if (key.length !== 32) throw new SecretBoxError(`secret key ${id} has ${key.length} bytes, not 32`);
      if (this.keys.has(id)) throw new SecretBoxError(`secret key id ${id} is configured twice`);
      this.keys.set(id, key);
    }
    this.primary = options.primary;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.primary.key, iv, { authTagLength: TAG_BYTES });
    // The key id is authenticated too, so sealed text cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(`${VERSION}.${this.primary.id}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.primary.id, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not sealed text of version v1');
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (key === undefined) throw new SecretBoxError(`sealed with unknown key ${keyId}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Never echo the input: it may be a secret pasted in the wrong place.
      throw new SecretBoxError(`sealed text (key ${keyId}) failed authentication`);
    }
  }

  /** Whether text sealed earlier should be re-sealed with the primary key. */
  needsReseal(sealed: string): boolean {
    return sealed.split('.')[1] !== this.primary.id;
  }
}

/** For display: "ab****yz". Short secrets show nothing but the stars. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '****';
  return `${secret.slice(0, 2)}****${secret.slice(-2)}`;
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64url');
}
