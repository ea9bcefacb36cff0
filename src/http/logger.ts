/** The part of pino's Logger the HTTP layer uses. */
export interface HttpLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: HttpLogger = { debug() {}, info() {}, warn() {}, error() {} };
