import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { HttpError } from './error-codes';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const RAW_BODY = Symbol('rawBody');

/** The body exactly as received (for the idempotency hash); empty when there was none. */
export function rawBodyOf(request: Request): Buffer {
  return (request as unknown as { [RAW_BODY]?: Buffer })[RAW_BODY] ?? Buffer.alloc(0);
}

/** JSON bodies only (415 otherwise), at most `maxBytes` (413), valid JSON objects (400). */
export function jsonBody(maxBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (request, _response, next) => {
    if (request.is('application/json') === 'application/json') return next();
    const length = request.headers['content-length'];
    const hasBody =
      (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody && request.headers['content-type'] === undefined) {
      return next(new HttpError('VALIDATION_FAILED', 'send a JSON body with Content-Type: application/json'));
    }
    next(
      new HttpError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported: send application/json`,
      ),
    );
  };
  const parse = express.json({
    limit: maxBytes,
    strict: true,
    verify: (request, _response, buffer) => {
      (request as unknown as { [RAW_BODY]?: Buffer })[RAW_BODY] = buffer;
    },
  });
  return [requireJson, parse];
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Turns body-parser failures into the API's stable codes; passes other errors on. */
export function bodyErrorTranslator(maxBytes: number) {
  return (error: unknown, _request: Request, _response: Response, next: NextFunction): void => {
    const failure = error as BodyParserError | null;
    switch (failure?.type) {
      case 'entity.too.large':
        return next(
          new HttpError('PAYLOAD_TOO_LARGE', `the body is larger than ${maxBytes} bytes: split the batch`, {
            limit: maxBytes,
          }),
        );
      case 'entity.parse.failed':
        return next(new HttpError('VALIDATION_FAILED', 'the body is not valid JSON (or not a JSON object)'));
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return next(new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send the body as UTF-8 JSON'));
      case 'request.aborted':
      case 'request.size.invalid':
        return next(new HttpError('VALIDATION_FAILED', 'the body was cut short'));
      default:
        return next(error);
    }
  };
}
