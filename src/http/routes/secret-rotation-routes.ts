import { z } from '../openapi-zod';
import { defineRoute, type ApiRoute } from '../route';
import { actor } from '../schemas/common';
import { positionHeader } from './batch';
import type { RouteServices } from './services';
import { WRITE_ERRORS } from './write-errors';

export const resealBody = z
  .strictObject({
    updateBy: actor
      .optional()
      .openapi({ description: 'Who rotates (update_by); defaults to the API key name.' }),
  })
  .openapi('ResealRequest', { example: { updateBy: 'ops.li' } });

export const resealResult = z
  .strictObject({
    resealed: z.number().int().openapi({ description: 'Accounts re-sealed with the primary key now.' }),
    alreadyCurrent: z
      .number()
      .int()
      .openapi({ description: 'Accounts already sealed with the primary key.' }),
    failed: z.number().int().openapi({
      description: 'Accounts that could not be re-sealed (their old key is no longer in SECRET_KEYS).',
    }),
    failures: z.array(z.strictObject({ accountId: z.string(), message: z.string() })),
  })
  .openapi('ResealResult', { example: { resealed: 12, alreadyCurrent: 3, failed: 0, failures: [] } });

/** POST /api/v1/accounts/reseal: the step of a SECRET_KEYS rotation that rewrites old sealed sessions. */
export function secretRotationRoutes(services: RouteServices): ApiRoute[] {
  const rotation = services.secretRotation;
  if (rotation === undefined) return [];
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/accounts/reseal',
      summary: 'Re-seal session ids with the primary secret key (密钥轮换)',
      description:
        'Key rotation: put the new key first in SECRET_KEYS and keep the old one, restart, call this, then drop the old key. ' +
        'Every account not deleted whose session id (or proxy) was sealed with another key gets an AccountUpdated with them ' +
        're-sealed by the primary key; the others are left alone, so calling it again is harmless. Send an empty JSON object as the body.',
      tags: ['Accounts (账号管理)'],
      roles: ['admin'],
      body: { schema: resealBody },
      responses: { 200: { description: 'How many accounts were re-sealed', data: resealResult } },
      errors: [...WRITE_ERRORS],
      async handle({ body, principal, command }) {
        const { position, ...report } = await rotation.resealAll(body.updateBy ?? principal.name, command);
        return { status: 200, data: report, headers: positionHeader(position) };
      },
    }),
  ];
}
