// One HTTP exchange with a deadline, cancellation, and knowledge of whether the request left.
// Built on `dispatch` with a handler of our own because only the handler learns `onRequestSent`,
// and that is what tells "nothing can be running upstream" from "a task may be running".
import type { Dispatcher, FormData } from 'undici';

export interface ExchangeRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | FormData;
  deadlineMs: number;
  signal?: AbortSignal;
  /** Answers larger than this are cut off as a network failure. */
  maxBodyBytes: number;
}

export type ExchangeOutcome =
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: string }
  | {
      kind: 'transport';
      cause: 'deadline' | 'cancelled' | 'network';
      message: string;
      requestSent: boolean;
    };

type LegacyHandler = Dispatcher.DispatchHandler & { onRequestSent(): void };

function headerRecord(raw: Buffer[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    headers[raw[i].toString('latin1').toLowerCase()] = raw[i + 1].toString('latin1');
  }
  return headers;
}

export function exchange(dispatcher: Dispatcher, request: ExchangeRequest): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let sent = false;
    let stopped: 'deadline' | 'cancelled' | undefined;
    let abortRequest: ((error?: Error) => void) | undefined;
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let received = 0;

    const finish = (outcome: ExchangeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCancel);
      resolve(outcome);
    };
    const stop = (cause: 'deadline' | 'cancelled') => {
      if (settled) return;
      stopped = cause;
      // A request still queued for a connection is aborted as soon as it gets one (onConnect).
      abortRequest?.(new Error(cause));
      const message =
        cause === 'deadline'
          ? `no answer within the ${request.deadlineMs} ms deadline`
          : 'cancelled by the caller';
      finish({ kind: 'transport', cause, message, requestSent: sent });
    };
    const onCancel = () => stop('cancelled');
    const timer = setTimeout(() => stop('deadline'), request.deadlineMs);

    if (request.signal?.aborted) {
      stop('cancelled');
      return;
    }
    request.signal?.addEventListener('abort', onCancel, { once: true });

    const handler: LegacyHandler = {
      onConnect(abort) {
        abortRequest = abort;
        if (stopped) abort(new Error(stopped));
      },
      onRequestSent() {
        sent = true;
      },
      onHeaders(statusCode, rawHeaders) {
        status = statusCode;
        headers = headerRecord(rawHeaders);
        return true;
      },
      onData(chunk) {
        received += chunk.length;
        if (received > request.maxBodyBytes) {
          abortRequest?.(new Error(`answer larger than ${request.maxBodyBytes} bytes`));
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        finish({ kind: 'answer', status, headers, body: Buffer.concat(chunks).toString('utf8') });
      },
      onError(error) {
        if (stopped) return;
        finish({ kind: 'transport', cause: 'network', message: error.message, requestSent: sent });
      },
    };

    try {
      dispatcher.dispatch(
        {
          origin: request.url.origin,
          path: request.url.pathname + request.url.search,
          method: request.method,
          headers: request.headers,
          body: request.body as Dispatcher.DispatchOptions['body'],
        },
        handler,
      );
    } catch (error) {
      finish({
        kind: 'transport',
        cause: 'network',
        message: error instanceof Error ? error.message : String(error),
        requestSent: false,
      });
    }
  });
}
