import pino, { type Logger } from 'pino';

/**
 * JSON logs. Secrets are redacted by path as a second line of defence: the code never logs a
 * session id or an API key on purpose, but a whole request or account object might be logged.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
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
  });
}

export type { Logger };
