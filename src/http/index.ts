export { createHttpApp, apiRoutes, createRouteServices, type HttpDependencies } from './app';
export { ApiKeyAuthenticator, type ApiKey } from './auth';
export { ERROR_STATUS, ERROR_DESCRIPTIONS, ITEM_ERROR_CODES, HttpError, type ErrorCode } from './error-codes';
export type { ReadinessCheck } from './operations';
export type { HttpLogger } from './logger';
export type { RateLimitOptions } from './rate-limit';
export { ROLES, type Role, type Principal, type ApiRoute } from './route';
export { buildOpenApiDocument } from './openapi-document';
export { CALLBACK_HEADERS, CALLBACK_RETRY_POLICY, callbackPayload } from './schemas/callback';
