import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory holding one SQLite file (plus its -wal and -shm), removed by `remove()`. */
export function tempSqliteFile(label: string): { file: string; remove(): void } {
  const directory = mkdtempSync(join(tmpdir(), `jimeng-${label}-`));
  return {
    file: join(directory, 'embedded.sqlite'),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
