import {
  ACCOUNT_SORT_FIELDS,
  RECORD_SORT_FIELDS,
  type AccountQuery,
  type GenerationKind,
  type Page,
  type PageRequest,
  type RecordQuery,
} from '../../ports/read-models';

/** Larger pages are refused: one query must stay a bounded amount of work. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Checks a page request before it reaches a query. Values arrive from the HTTP layer; a value of
 * the wrong type (an object where a string belongs) must never reach a Mongo filter, and a sort
 * key becomes an SQL column name, so both adapters refuse anything outside the known set.
 */
export function checkPageRequest(request: PageRequest, sortFields: readonly string[]): void {
  if (!Number.isSafeInteger(request.page) || request.page < 1) {
    throw new RangeError(`page must be a positive integer, got ${String(request.page)}`);
  }
  if (!Number.isSafeInteger(request.pageSize) || request.pageSize < 1 || request.pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(
      `pageSize must be an integer in 1..${MAX_PAGE_SIZE}, got ${String(request.pageSize)}`,
    );
  }
  if (typeof request.sortBy !== 'string' || !sortFields.includes(request.sortBy)) {
    throw new RangeError(`cannot sort by ${String(request.sortBy)}; sortable: ${sortFields.join(', ')}`);
  }
  if (request.sortOrder !== 'asc' && request.sortOrder !== 'desc') {
    throw new RangeError(`sortOrder must be asc or desc, got ${String(request.sortOrder)}`);
  }
}

export function optionalText(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  return value;
}

export function optionalCode(name: string, value: unknown, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new TypeError(`${name} must be an integer code in 0..${max}`);
  }
  return value;
}

export function optionalFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`);
  return value;
}

export function offsetOf(request: PageRequest): number {
  return (request.page - 1) * request.pageSize;
}

export function pageOf<T>(list: T[], total: number, request: PageRequest): Page<T> {
  return {
    list,
    total,
    page: request.page,
    pageSize: request.pageSize,
    totalPages: Math.ceil(total / request.pageSize),
  };
}

/**
 * The full sort of a list: the requested field, then creation time, then id, all in the requested
 * direction. Ties therefore order deterministically, so a page boundary never shows a document
 * twice or skips one, and both adapters return the same order.
 */
export function sortKeys(sortBy: string): string[] {
  return sortBy === 'createdAt' ? ['createdAt', 'id'] : [sortBy, 'createdAt', 'id'];
}

export function requiredText(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  return value;
}

export function requiredKind(kind: unknown): GenerationKind {
  if (kind !== 'image' && kind !== 'video') throw new TypeError('kind must be image or video');
  return kind;
}

/** What a list query asks for, checked: fields of the view that must equal a value, and whether deleted ones count. */
export interface ListCriteria {
  equal: Array<[field: string, value: string | number]>;
  includeDeleted: boolean;
}

/** The checked criteria of an account list; both adapters filter by these. */
export function accountCriteria(query: AccountQuery): ListCriteria {
  checkPageRequest(query, ACCOUNT_SORT_FIELDS);
  return criteria(
    [
      ['createBy', optionalText('createBy', query.createBy)],
      ['accountStatus', optionalCode('accountStatus', query.accountStatus, 2)],
      ['siteType', optionalCode('siteType', query.siteType, 4)],
    ],
    query.includeDeleted,
  );
}

/** The checked criteria of a record list, within the query's kind. */
export function recordCriteria(query: RecordQuery): ListCriteria & { kind: GenerationKind } {
  checkPageRequest(query, RECORD_SORT_FIELDS);
  const kind = requiredKind(query.kind);
  return {
    kind,
    ...criteria(
      [
        ['createBy', optionalText('createBy', query.createBy)],
        ['workId', optionalText('workId', query.workId)],
        ['projectId', optionalText('projectId', query.projectId)],
        ['generationStatus', optionalCode('generationStatus', query.generationStatus, 4)],
      ],
      query.includeDeleted,
    ),
  };
}

function criteria(
  fields: Array<[string, string | number | undefined]>,
  includeDeleted: unknown,
): ListCriteria {
  return {
    equal: fields.filter((field): field is [string, string | number] => field[1] !== undefined),
    includeDeleted: optionalFlag('includeDeleted', includeDeleted),
  };
}
