import type { Logger } from 'pino';
import type { IncomingMessage } from '../ports/message-bus';
import { WorkerStoppingError } from '../workers/generation/job-handler';

/**
 * A handler that throws gets its message again. A worker that is stopping hands its waiting jobs
 * back that way on purpose, so that case is not a warning.
 */
export function logHandlerFailure(
  logger: Logger,
  error: unknown,
  message: IncomingMessage | undefined,
): void {
  const context = { topic: message?.topic, key: message?.key };
  if (error instanceof WorkerStoppingError)
    logger.debug(context, 'job handed back to the bus (worker stopping)');
  else logger.warn({ err: error, ...context }, 'message handler failed; redelivering');
}
