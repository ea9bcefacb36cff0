import type { Logger } from 'pino';

/**
 * Resources register how they close; shutdown closes them in reverse order of opening, so a
 * worker stops before the bus it consumes and the bus before the database it writes.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: () => Promise<void> | void }[] = [];

  constructor(private readonly logger: Logger) {}

  onClose(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  async closeAll(): Promise<void> {
    while (this.closers.length > 0) {
      const { name, close } = this.closers.pop()!;
      try {
        await close();
      } catch (error) {
        this.logger.error({ err: error, resource: name }, 'closing failed');
      }
    }
  }
}
