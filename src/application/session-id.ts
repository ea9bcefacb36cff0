import type { QuotaResetTime, Site } from '../events';

/**
 * The session id as users paste it, in jimeng-api's token grammar `[proxyURL@][site-]sessionid`
 * (jimeng-protocol.md §2): a `us-` / `hk-` / `jp-` / `sg-` prefix names the site (no prefix: cn), and
 * an `http(s)://`, `socks4://` or `socks5://` URL before the last `@` is the account's proxy.
 */
export interface ParsedSessionId {
  /** The bare `sessionid` cookie value: the secret. */
  sessionId: string;
  site?: Site;
  proxy?: string;
}

const PROXY = /^(https?|socks[45]):\/\/.+$/i;
const SITE_PREFIX = /^(us|hk|jp|sg)-(.+)$/i;
const BARE_SESSION = /^[^\s,@]{1,512}$/;

export class SessionIdError extends Error {
  readonly code = 'VALIDATION_FAILED';
}

export function parseSessionId(raw: string): ParsedSessionId {
  let rest = raw.trim();
  let proxy: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > 0 && PROXY.test(rest.slice(0, at))) {
    proxy = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let site: Site | undefined;
  const prefixed = SITE_PREFIX.exec(rest);
  if (prefixed) {
    site = prefixed[1]!.toLowerCase() as Site;
    rest = prefixed[2]!;
  }
  // Never echo the value: it is a secret.
  if (!BARE_SESSION.test(rest)) {
    throw new SessionIdError(
      'sessionId must be one session id (no spaces, commas or "@"), optionally prefixed by us-/hk-/jp-/sg- and a proxy URL with "@"',
    );
  }
  return {
    sessionId: rest,
    ...(site === undefined ? {} : { site }),
    ...(proxy === undefined ? {} : { proxy }),
  };
}

/** For display: "ab****yz"; short secrets show only stars. */
export function maskSessionId(sessionId: string): string {
  if (sessionId.length <= 8) return '****';
  return `${sessionId.slice(0, 2)}****${sessionId.slice(-2)}`;
}

/**
 * `HH:mm` with an optional offset `±HH:mm`. Without one, the account type decides: domestic
 * accounts reset at Beijing time (UTC+8), international accounts at UTC.
 */
const RESET_TIME = /^([01]\d|2[0-3]):([0-5]\d)(?:([+-])(0\d|1[0-4]):([0-5]\d))?$/;
export const QUOTA_RESET_TIME_PATTERN = RESET_TIME;

export function defaultQuotaResetTime(accountType: 0 | 1): QuotaResetTime {
  return { timeOfDay: '00:00', utcOffsetMinutes: accountType === 0 ? 480 : 0 };
}

export function parseQuotaResetTime(text: string, accountType: 0 | 1): QuotaResetTime {
  const match = RESET_TIME.exec(text);
  if (!match) throw new SessionIdError(`quotaResetTime ${JSON.stringify(text)} is not HH:mm or HH:mm±HH:mm`);
  const [, hh, mm, sign, oh, om] = match;
  const utcOffsetMinutes =
    sign === undefined
      ? defaultQuotaResetTime(accountType).utcOffsetMinutes
      : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return { timeOfDay: `${hh}:${mm}`, utcOffsetMinutes };
}
