import { isDeepStrictEqual } from 'node:util';

export type Documents = ReadonlyMap<string, Record<string, unknown>>;

/** The read models of one store: every account and record document, keyed `<table>/<id>`. */
export interface ReadModelSnapshot {
  accounts: Documents;
  records: Documents;
}

export interface ReadModelDiff {
  compared: number;
  /** `<key>: <fields that differ>`, or a document present on one side only. */
  differences: string[];
}

/** Field by field: the live read models against the ones rebuilt from the event store. */
export function diffReadModels(live: ReadModelSnapshot, rebuilt: ReadModelSnapshot): ReadModelDiff {
  const differences: string[] = [];
  let compared = 0;
  for (const [table, liveDocs, rebuiltDocs] of [
    ['accounts', live.accounts, rebuilt.accounts],
    ['records', live.records, rebuilt.records],
  ] as const) {
    for (const [key, doc] of liveDocs) {
      const other = rebuiltDocs.get(key);
      compared += 1;
      if (!other) {
        differences.push(`${table} ${key}: missing from the rebuild`);
        continue;
      }
      const fields = [...new Set([...Object.keys(doc), ...Object.keys(other)])].filter(
        (field) => !isDeepStrictEqual(doc[field], other[field]),
      );
      if (fields.length > 0) {
        const detail = fields.map(
          (field) => `${field}: ${JSON.stringify(doc[field])} ≠ ${JSON.stringify(other[field])}`,
        );
        differences.push(`${table} ${key}: ${detail.join('; ')}`);
      }
    }
    for (const key of rebuiltDocs.keys()) {
      if (!liveDocs.has(key)) differences.push(`${table} ${key}: only in the rebuild`);
    }
  }
  return { compared, differences };
}
