import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './error-codes';
import type { ApiKey } from '../config/api-keys';
import type { Principal, Role } from './route';

export type { ApiKey } from '../config/api-keys';

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
