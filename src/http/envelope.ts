import type { Clock } from '../ports/clock';
import type { ErrorCode } from './error-codes';

/** The requirement's unified answer (§7.2): code is the HTTP status, timestamp is unix ms. */
export interface Envelope<T> {
  code: number;
  message: string;
  data: T;
  timestamp: number;
}

export interface ErrorData {
  error: ErrorCode | string;
  details?: Record<string, unknown>;
}

export function envelope<T>(status: number, message: string, data: T, clock: Clock): Envelope<T> {
  return { code: status, message, data, timestamp: clock.now().getTime() };
}

export function errorEnvelope(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> | undefined,
  clock: Clock,
): Envelope<ErrorData> {
  return envelope(status, message, { error: code, ...(details === undefined ? {} : { details }) }, clock);
}
