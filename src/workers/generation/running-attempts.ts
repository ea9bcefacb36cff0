/** A place held for an attempt this process is about to claim (counts against maxInFlight). */
export interface Reservation {
  /** The lease taken for the claim, while the claim is being appended (the reaper must skip it). */
  leaseId?: string;
  release(): void;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The attempts this process runs (and the claims it is making): the local capacity, the leases the
 * reaper must leave alone, and what a shutdown waits for or aborts.
 */
export class RunningAttempts {
  private readonly running = new Map<string, Running>();
  private readonly reservations = new Set<Reservation>();

  constructor(private readonly onChange: () => void) {}

  /** Running attempts plus claims in progress. */
  get count(): number {
    return this.running.size + this.reservations.size;
  }

  reserve(): Reservation {
    const reservations = this.reservations;
    const onChange = this.onChange;
    const reservation: Reservation = {
      release() {
        if (reservations.delete(reservation)) onChange();
      },
    };
    reservations.add(reservation);
    return reservation;
  }

  /** Tracks a started attempt until `done` settles. */
  track(leaseId: string, controller: AbortController, done: Promise<void>): void {
    const settled = done.finally(() => {
      this.running.delete(leaseId);
      this.onChange();
    });
    this.running.set(leaseId, { controller, done: settled });
  }

  holds(leaseId: string): boolean {
    if (this.running.has(leaseId)) return true;
    for (const reservation of this.reservations) if (reservation.leaseId === leaseId) return true;
    return false;
  }

  /** Resolves when every running attempt has ended, or after `timeoutMs` (false then). */
  async settle(timeoutMs: number): Promise<boolean> {
    const all = Promise.all([...this.running.values()].map((r) => r.done)).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    });
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Aborts every running attempt with `reason` and waits for them to record it. */
  async abortAll(reason: string): Promise<void> {
    const running = [...this.running.values()];
    for (const attempt of running) attempt.controller.abort(reason);
    await Promise.all(running.map((r) => r.done));
  }
}
