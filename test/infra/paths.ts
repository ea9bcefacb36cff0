import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

/** Build outputs (Kafka jars, the FerretDB binary) and the infra state files live here; gitignored. */
export const defaultCacheDir = join(repoRoot, '.cache');
