// Reads a Bearer value the way jimeng-api does: `[proxyURL@][site-]sessionid[,more…]`.
import type { Site } from '../jimeng/gateway';

export interface ParsedToken {
  site: Site;
  /** The bare session id: the key of the simulated account. */
  sessionKey: string;
}

const PROXY = /^(https?|socks[45]):\/\//i;
const SITE_PREFIX = /^(us|hk|jp|sg)-(.+)$/i;

export function splitTokens(authorization: string): string[] {
  return authorization
    .replace(/^Bearer\s+/i, '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
}

export function parseToken(raw: string): ParsedToken {
  let token = raw.trim();
  // The proxy URL may itself contain '@' (credentials), so the split is on the last one.
  if (PROXY.test(token) && token.includes('@')) token = token.slice(token.lastIndexOf('@') + 1);
  const match = SITE_PREFIX.exec(token);
  return match
    ? { site: match[1].toLowerCase() as Site, sessionKey: match[2] }
    : { site: 'cn', sessionKey: token };
}
