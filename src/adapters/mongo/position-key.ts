/**
 * Global positions are unsigned 64-bit numbers, more than a double holds. Stored as fixed-width
 * zero-padded decimal strings, string order is numeric order, so a filter such as
 * `{ position: { $lt: key } }` compares positions correctly on MongoDB and FerretDB alike.
 */
export const POSITION_KEY_WIDTH = 20;

export function positionKey(position: bigint): string {
  if (position < 0n || position >= 10n ** BigInt(POSITION_KEY_WIDTH)) {
    throw new RangeError(`position ${position} does not fit ${POSITION_KEY_WIDTH} digits`);
  }
  return position.toString().padStart(POSITION_KEY_WIDTH, '0');
}

export function positionFromKey(key: string): bigint {
  return BigInt(key);
}
