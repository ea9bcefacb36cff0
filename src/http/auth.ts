import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './error-codes';
import { ROLES, type Principal, type Role } from './route';

export interface ApiKey {
  name: string;
  role: Role;
  key: string;
}

/**
 * `API_KEYS` grammar: comma-separated `name:role:key` (or `role:key`, named after the role);
 * role is admin, service or viewer. Keys may not contain ',' or ':'.
 */
export function parseApiKeys(text: string | undefined): ApiKey[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((entry, index) => {
    const parts = entry.trim().split(':');
    const [name, role, key] = parts.length === 2 ? [parts[0], parts[0], parts[1]] : parts;
    if (parts.length < 2 || parts.length > 3 || !name || !key || !ROLES.includes(role as Role)) {
      throw new Error(`API_KEYS entry ${index + 1} is not name:role:key with role admin, service or viewer`);
    }
    if (key.length < 16)
      throw new Error(`API_KEYS entry ${index + 1} (${name}): keys need at least 16 characters`);
    return { name, role: role as Role, key };
  });
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Looks keys up in constant time: every configured key is compared, on equal-length digests. */
export class ApiKeyAuthenticator {
  private readonly keys: { digest: Buffer; principal: Principal }[];

  constructor(keys: readonly ApiKey[]) {
    this.keys = keys.map(({ name, role, key }) => ({ digest: digest(key), principal: { name, role } }));
  }

  /** The caller, from `Authorization: Bearer <key>`; throws UNAUTHENTICATED. */
  authenticate(authorization: string | undefined): Principal {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!match) {
      throw new HttpError('UNAUTHENTICATED', 'send the API key as "Authorization: Bearer <key>"', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const presented = digest(match[1]!);
    let found: Principal | null = null;
    for (const candidate of this.keys) {
      if (timingSafeEqual(candidate.digest, presented) && found === null) found = candidate.principal;
    }
    if (found === null) {
      throw new HttpError('UNAUTHENTICATED', 'the API key is not valid', undefined, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    return found;
  }
}

export function authorize(principal: Principal, roles: readonly Role[]): void {
  if (principal.role === 'admin' || roles.includes(principal.role)) return;
  throw new HttpError(
    'FORBIDDEN',
    `role ${principal.role} may not call this route (needs ${roles.join(' or ')})`,
  );
}
