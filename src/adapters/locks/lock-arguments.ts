export function checkLockArguments(name: unknown, owner: unknown, ttlMs: unknown): void {
  if (typeof name !== 'string' || typeof owner !== 'string')
    throw new TypeError('name and owner must be strings');
  if (typeof ttlMs !== 'number' || !(ttlMs > 0)) throw new RangeError('ttlMs must be > 0');
}
