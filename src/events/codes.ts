/**
 * Code tables of the requirements (numbers on the wire and in read models) and the string unions
 * the domain uses internally, with mapping functions both ways.
 */

export const SITES = ['cn', 'us', 'hk', 'jp', 'sg'] as const;
export type Site = (typeof SITES)[number];
/** International sites, in the order the requirements name them. */
export const INTERNATIONAL_SITES = ['us', 'hk', 'jp', 'sg'] as const satisfies readonly Site[];

const SITE_CODES: Record<Site, number> = { cn: 0, us: 1, hk: 2, jp: 3, sg: 4 };

export type AccountType = 0 | 1;
export const ACCOUNT_TYPE = { domestic: 0, international: 1 } as const;

export const ACCOUNT_STATUSES = ['active', 'inactive', 'banned'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
const ACCOUNT_STATUS_CODES: Record<AccountStatus, number> = { active: 0, inactive: 1, banned: 2 };

export const CAPABILITY_STATUSES = ['available', 'unavailable', 'rate_limited'] as const;
export type CapabilityStatus = (typeof CAPABILITY_STATUSES)[number];
const CAPABILITY_STATUS_CODES: Record<CapabilityStatus, number> = {
  unavailable: 0,
  available: 1,
  rate_limited: 2,
};

export const GENERATION_STATUSES = ['pending', 'processing', 'completed', 'failed', 'retrying'] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];
const GENERATION_STATUS_CODES: Record<GenerationStatus, number> = {
  pending: 0,
  processing: 1,
  completed: 2,
  failed: 3,
  retrying: 4,
};

export const GENERATION_KINDS = ['image', 'video'] as const;
export type GenerationKind = (typeof GENERATION_KINDS)[number];

export const GENERATION_MODES = [
  'text_to_image',
  'image_to_image',
  'text_to_video',
  'image_to_video',
  'first_last_frame',
] as const;
export type GenerationMode = (typeof GENERATION_MODES)[number];

export const MODES_BY_KIND: Record<GenerationKind, readonly GenerationMode[]> = {
  image: ['text_to_image', 'image_to_image'],
  video: ['text_to_video', 'image_to_video', 'first_last_frame'],
};

/** Error classes of jimeng-protocol.md §3.5. */
export const ERROR_CLASSES = [
  'SITE_MISMATCH',
  'RATE_LIMITED',
  'INSUFFICIENT_CREDITS',
  'SESSION_INVALID',
  'ACCOUNT_BANNED',
  'CONTENT_REJECTED',
  'BAD_REQUEST',
  'TIMEOUT',
  'UPSTREAM_FAILED',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Final error codes of a record that are not an upstream error class. */
export const JOB_FAILURE_CODES = [
  'NO_ACCOUNT_AVAILABLE',
  'SWITCH_BUDGET_EXHAUSTED',
  'DEADLINE_EXCEEDED',
] as const;
export type JobFailureCode = (typeof JOB_FAILURE_CODES)[number];
export type GenerationErrorCode = ErrorClass | JobFailureCode;

function invert<K extends string>(table: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(table).map(([k, v]) => [v as number, k as K]));
}

function fromCode<K extends string>(table: Map<number, K>, what: string, code: number): K {
  const value = table.get(code);
  if (value === undefined) throw new RangeError(`unknown ${what} code ${code}`);
  return value;
}

const SITE_BY_CODE = invert(SITE_CODES);
const ACCOUNT_STATUS_BY_CODE = invert(ACCOUNT_STATUS_CODES);
const CAPABILITY_STATUS_BY_CODE = invert(CAPABILITY_STATUS_CODES);
const GENERATION_STATUS_BY_CODE = invert(GENERATION_STATUS_CODES);

export const siteToCode = (site: Site): number => SITE_CODES[site];
export const siteFromCode = (code: number): Site => fromCode(SITE_BY_CODE, 'site_type', code);

export const accountStatusToCode = (status: AccountStatus): number => ACCOUNT_STATUS_CODES[status];
export const accountStatusFromCode = (code: number): AccountStatus =>
  fromCode(ACCOUNT_STATUS_BY_CODE, 'account_status', code);

export const capabilityStatusToCode = (status: CapabilityStatus): number => CAPABILITY_STATUS_CODES[status];
export const capabilityStatusFromCode = (code: number): CapabilityStatus =>
  fromCode(CAPABILITY_STATUS_BY_CODE, 'generation capability status', code);

export const generationStatusToCode = (status: GenerationStatus): number => GENERATION_STATUS_CODES[status];
export const generationStatusFromCode = (code: number): GenerationStatus =>
  fromCode(GENERATION_STATUS_BY_CODE, 'generation_status', code);

export function accountTypeFromCode(code: number): AccountType {
  if (code !== 0 && code !== 1) throw new RangeError(`unknown jimeng_account_type code ${code}`);
  return code;
}

/** Domestic accounts live on cn only; international accounts on any other site. */
export function siteFitsAccountType(site: Site, accountType: AccountType): boolean {
  return accountType === ACCOUNT_TYPE.domestic ? site === 'cn' : site !== 'cn';
}
