import type { Collection, CreateIndexesOptions, Document, IndexSpecification } from 'mongodb';

export interface IndexPlan {
  key: IndexSpecification;
  options?: CreateIndexesOptions;
}

/**
 * Creates the indexes a collection's queries rely on. Idempotent: creating an index that exists
 * with the same key and options is a no-op on MongoDB and FerretDB.
 */
export async function ensureIndexes<T extends Document>(
  collection: Collection<T>,
  plans: IndexPlan[],
): Promise<void> {
  for (const plan of plans) await collection.createIndex(plan.key, plan.options ?? {});
}
