/**
 * Seals secrets (Jimeng session ids) before they enter an event payload or a read model.
 * Sealed text names the key that sealed it, so keys can be rotated: old text stays readable while
 * its key is configured, and new text uses the primary key.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export const SECRET_BOX = Symbol.for('SecretBox');
