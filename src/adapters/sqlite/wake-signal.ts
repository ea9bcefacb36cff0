/**
 * In-process wake-up for readers that tail an SQLite table: writers notify after commit, readers
 * wait for a notification or a poll interval (the fallback for writes made by another connection
 * or process, which cannot notify us).
 *
 * The version counter closes the gap between "read found nothing new" and "started waiting": a
 * reader remembers the version it read at and does not sleep if a notification came in between.
 */
export class WakeSignal {
  private current = 0;
  private readonly listeners = new Set<() => void>();

  get version(): number {
    return this.current;
  }

  notify(): void {
    this.current += 1;
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves on the next notification (or at once if one came since `sinceVersion`), after
   * `timeoutMs`, or when `interrupt` is called. */
  wait(sinceVersion: number, timeoutMs: number): { done: Promise<void>; interrupt(): void } {
    let interrupt = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      if (this.current !== sinceVersion) {
        resolve();
        return;
      }
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.listeners.add(finish);
      interrupt = finish;
    });
    return { done, interrupt: () => interrupt() };
  }
}
