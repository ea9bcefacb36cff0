import type { AccountType, Site } from '../../events';

/** Requirements §5.3: international accounts fall back hk → jp → sg. */
export const DEFAULT_SITE_FALLBACK_ORDER: readonly Site[] = ['hk', 'jp', 'sg'];

/**
 * The sites an account may be used on, best first: a domestic account only cn; an international
 * one its registered site, then the fallback order (never cn).
 */
export function sitesForAccount(
  account: { accountType: AccountType; siteType: Site },
  fallbackOrder: readonly Site[] = DEFAULT_SITE_FALLBACK_ORDER,
): Site[] {
  if (account.accountType === 0) return ['cn'];
  const sites = [account.siteType, ...fallbackOrder].filter((site) => site !== 'cn');
  return [...new Set(sites)];
}
