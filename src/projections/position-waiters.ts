interface Waiter {
  position: bigint;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Callers waiting until a projector has applied a given global position (read-your-writes). */
export class PositionWaiters {
  private readonly waiters = new Set<Waiter>();

  /** Resolves true once `reached(position)` is announced, false after `timeoutMs`. */
  wait(position: bigint, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = { position, resolve, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => this.settle(waiter, false), Math.max(0, timeoutMs));
        waiter.timer.unref();
      }
      this.waiters.add(waiter);
    });
  }

  reached(position: bigint): void {
    for (const waiter of this.waiters) if (waiter.position <= position) this.settle(waiter, true);
  }

  /** Ends every wait with false (the projector stops). */
  cancelAll(): void {
    for (const waiter of this.waiters) this.settle(waiter, false);
  }

  private settle(waiter: Waiter, reached: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve(reached);
  }
}
