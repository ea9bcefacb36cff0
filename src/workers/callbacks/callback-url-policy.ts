export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Where callbacks may go: http(s) only, no credentials in the URL (they would be logged and stored
 * in events), and, when an allow-list is configured, only to its hosts (`example.com` exactly, or
 * `*.example.com` for its subdomains).
 */
export function checkCallbackUrl(raw: string, allowedHosts: readonly string[] = []): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `scheme ${url.protocol.replace(/:$/, '')} is not allowed` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials in the URL are not allowed' };
  }
  if (allowedHosts.length > 0 && !allowedHosts.some((pattern) => hostMatches(url.hostname, pattern))) {
    return { ok: false, reason: `host ${url.hostname} is not in the callback allow-list` };
  }
  return { ok: true, url };
}

function hostMatches(hostname: string, pattern: string): boolean {
  const host = hostname.toLowerCase();
  const wanted = pattern.trim().toLowerCase();
  if (wanted.startsWith('*.')) return host.endsWith(wanted.slice(1)) && host.length > wanted.length - 1;
  return host === wanted;
}

/** CALLBACK_ALLOWED_HOSTS: comma-separated host patterns; empty or unset allows every host. */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host.length > 0);
}
