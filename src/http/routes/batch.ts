import { mapBounded } from '../../application/bounded-parallel';
import {
  duplicateIndexes,
  rejection,
  type ItemOutcome,
  type ItemRejection,
} from '../../application/item-outcome';
import type { HttpLogger } from '../logger';

export interface BatchAnswer<Item> {
  data: { accepted: number; rejected: number; items: Item[] };
  /** Highest event position written, for the X-Event-Position read-your-writes header. */
  position: bigint | null;
}

/**
 * Runs one item's work per batch entry with bounded parallelism. An item whose work throws
 * (the store failed) is answered INTERNAL, so the answer still accounts for every item.
 */
export async function runBatch<Input, Accepted extends { position?: bigint }, Shown extends object>(
  inputs: readonly Input[],
  concurrency: number,
  logger: HttpLogger,
  work: (input: Input, index: number) => Promise<ItemOutcome<Accepted>>,
  label: (input: Input, index: number) => Shown,
): Promise<
  BatchAnswer<
    Shown & (({ result: 'accepted' } & Omit<Accepted, 'position'>) | ItemRejection) & { index: number }
  >
> {
  let position: bigint | null = null;
  const items = await mapBounded(inputs, concurrency, async (input, index) => {
    let outcome: ItemOutcome<Accepted>;
    try {
      outcome = await work(input, index);
    } catch (error) {
      logger.error({ err: error, index }, 'batch item failed');
      outcome = rejection(
        'INTERNAL',
        'this item could not be stored: send it again (with a new Idempotency-Key)',
      );
    }
    if (outcome.result === 'accepted') {
      const { position: itemPosition, ...shown } = outcome as { result: 'accepted' } & Accepted;
      if (itemPosition !== undefined && (position === null || itemPosition > position))
        position = itemPosition;
      return { index, ...label(input, index), ...shown };
    }
    return { index, ...label(input, index), ...outcome };
  });
  const accepted = items.filter((item) => item.result === 'accepted').length;
  return {
    data: { accepted, rejected: items.length - accepted, items: items as never },
    position,
  };
}

export interface KeyedItems<Input, Accepted extends object, Shown> {
  /** The item's key (a storyboardId, an account); an item without one is never a duplicate. */
  key: (input: Input) => string | undefined;
  /** Why a repeated key is refused, and what to do about it. */
  duplicate: (key: string) => string;
  work: (input: Input, index: number) => Promise<ItemOutcome<Accepted>>;
  label: (input: Input, index: number) => Shown;
}

/**
 * runBatch for items keyed by an id: an item repeating an earlier item's key is refused
 * DUPLICATE_IN_BATCH (the first one wins) and its work never runs.
 */
export function runKeyedBatch<Input, Accepted extends { position?: bigint }, Shown extends object>(
  inputs: readonly Input[],
  concurrency: number,
  logger: HttpLogger,
  items: KeyedItems<Input, Accepted, Shown>,
) {
  const keys = inputs.map((input) => items.key(input));
  const duplicates = duplicateIndexes(keys);
  return runBatch(
    inputs,
    concurrency,
    logger,
    async (input, index) =>
      duplicates.has(index)
        ? rejection('DUPLICATE_IN_BATCH', items.duplicate(keys[index]!))
        : items.work(input, index),
    items.label,
  );
}

export function positionHeader(position: bigint | null | undefined): Record<string, string> {
  return position === null || position === undefined ? {} : { 'X-Event-Position': position.toString() };
}
