import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A short content hash of files; a change in any of them invalidates the cached build. */
export function hashFiles(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file.split('/').pop() ?? file);
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
