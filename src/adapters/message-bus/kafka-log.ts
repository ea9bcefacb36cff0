import { logLevel, type logCreator } from 'kafkajs';

/** The part of a pino logger kafkajs' messages go to. */
export interface KafkaLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/** kafkajs logs through the given logger, or nowhere (tests, or nobody asked). */
export function kafkaLogCreator(logger: KafkaLogger | undefined): logCreator {
  if (!logger) return () => () => undefined;
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      const entry = { kafka: namespace, ...fields };
      if (level === logLevel.ERROR || level === logLevel.NOTHING) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else if (level === logLevel.INFO) logger.info(entry, message);
      else logger.debug(entry, message);
    };
}
