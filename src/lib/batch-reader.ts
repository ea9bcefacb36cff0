/**
 * Reads an async iterator in batches: waits for the first item, then takes whatever else arrives
 * within a short window (up to a maximum), so a burst is published in one call while a lone event
 * is not held back.
 */
export class BatchReader<T> {
  private pending: Promise<IteratorResult<T>> | undefined;
  private finished = false;

  constructor(
    private readonly iterator: AsyncIterator<T>,
    private readonly maxItems: number,
    private readonly windowMs: number,
  ) {}

  /** The next batch, or null when the iterator is done. */
  async next(): Promise<T[] | null> {
    if (this.finished) return null;
    const first = await this.take();
    if (first.done) return null;
    const batch = [first.value];
    const deadline = Date.now() + this.windowMs;
    while (batch.length < this.maxItems) {
      const result = await this.takeWithin(deadline - Date.now());
      if (result === 'late') break;
      if (result.done) {
        this.finished = true;
        break;
      }
      batch.push(result.value);
    }
    return batch;
  }

  private async take(): Promise<IteratorResult<T>> {
    const result = await (this.pending ?? this.iterator.next());
    this.pending = undefined;
    return result;
  }

  /** An item that is ready within `ms`, or 'late' (the read stays pending for the next batch). */
  private async takeWithin(ms: number): Promise<IteratorResult<T> | 'late'> {
    this.pending ??= this.iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, ms));
    });
    try {
      const result = await Promise.race([this.pending, late]);
      if (result !== 'late') this.pending = undefined;
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}
