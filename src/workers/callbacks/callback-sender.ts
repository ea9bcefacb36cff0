import { request } from 'undici';
import { signCallback } from './callback-signature';

export interface CallbackRequest {
  url: URL;
  body: string;
  /** The outcome event's id: the same on every retry, so receivers can deduplicate. */
  eventId: string;
  attempt: number;
  secret: string;
  timeoutMs: number;
  now: Date;
}

export type CallbackResponse = { delivered: true; httpStatus: number } | { delivered: false; error: string };

export const CALLBACK_HEADERS = {
  eventId: 'x-jimeng-event-id',
  timestamp: 'x-jimeng-timestamp',
  signature: 'x-jimeng-signature',
  attempt: 'x-jimeng-delivery-attempt',
} as const;

/**
 * One signed POST. Only a 2xx counts; redirects are not followed (undici's request does not follow
 * them), so a 3xx is a failure: following one would send the signed body somewhere not vetted.
 */
export async function sendCallback(call: CallbackRequest): Promise<CallbackResponse> {
  const timestamp = call.now.getTime();
  try {
    const response = await request(call.url, {
      method: 'POST',
      body: call.body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'jimeng-orchestrator-callbacks',
        [CALLBACK_HEADERS.eventId]: call.eventId,
        [CALLBACK_HEADERS.timestamp]: String(timestamp),
        [CALLBACK_HEADERS.signature]: signCallback(call.secret, timestamp, call.body),
        [CALLBACK_HEADERS.attempt]: String(call.attempt),
      },
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    await response.body.dump();
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { delivered: true, httpStatus: status };
    if (status >= 300 && status < 400)
      return { delivered: false, error: `HTTP ${status} (redirect not followed)` };
    return { delivered: false, error: `HTTP ${status}` };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError' || name === 'HeadersTimeoutError') {
      return { delivered: false, error: `timeout after ${call.timeoutMs} ms` };
    }
    return { delivered: false, error: describe(error) };
  }
}

function describe(error: unknown): string {
  const err = error as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  const message = err.cause?.message ?? err.message ?? String(error);
  return (code ? `${code}: ${message}` : message).slice(0, 500);
}
