import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs. Secrets are redacted by path as a second line of defence: the code never logs a
 * session id or an API key on purpose, but a whole request or account object might be logged.
 * `destination` defaults to stdout (tests pass a memory stream to scan what was logged).
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'jimeng-orchestrator', ...base },
    redact: {
      paths: [
        'sessionId',
        '*.sessionId',
        '*.*.sessionId',
        'session_id',
        '*.session_id',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'headers.authorization',
        'apiKey',
        '*.apiKey',
        'proxy',
        '*.proxy',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

export type { Logger };
