import type { Request } from 'express';
import type { ZodType, z } from 'zod';
import type { CommandContext } from '../application/command-context';
import type { ErrorCode } from './error-codes';

export const ROLES = ['admin', 'service', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The API key's name (logged, stamped on events); never the key itself. */
  name: string;
  role: Role;
}

export interface RouteContext<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  principal: Principal;
  requestId: string;
  command: CommandContext;
  request: Request;
}

export interface RouteResult {
  status: number;
  data: unknown;
  message?: string;
  headers?: Record<string, string>;
}

export interface RouteResponse {
  description: string;
  data: ZodType;
}

/**
 * One API route: what it accepts, who may call it, what it answers. The same table drives the
 * express router, the OpenAPI document and the auth tests, so they cannot drift apart.
 */
export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/api/v1/images/records/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  roles: readonly Role[];
  params?: ZodType;
  query?: ZodType;
  /** `schema` checks the request at run time; `documented` (default: schema) is what OpenAPI shows. */
  body?: { schema: ZodType; documented?: ZodType };
  responses: Record<number, RouteResponse>;
  /** Error codes this route may answer besides the ones every protected route has. */
  errors: ErrorCode[];
  handle(context: RouteContext<unknown, unknown, unknown>): Promise<RouteResult>;
}

type Infer<T> = T extends ZodType ? z.output<T> : Record<string, never>;

/** Builds a route with typed params, query and body from its schemas. */
export function defineRoute<
  P extends ZodType | undefined = undefined,
  Q extends ZodType | undefined = undefined,
  B extends ZodType | undefined = undefined,
>(
  route: Omit<ApiRoute, 'params' | 'query' | 'body' | 'handle'> & {
    params?: P;
    query?: Q;
    body?: { schema: B; documented?: ZodType };
    handle(context: RouteContext<Infer<P>, Infer<Q>, Infer<B>>): Promise<RouteResult>;
  },
): ApiRoute {
  return route as unknown as ApiRoute;
}

/** `/a/{id}` → `/a/:id` for express. */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}
