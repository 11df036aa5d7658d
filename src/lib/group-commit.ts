/**
 * Group commit: callers submit items one by one and each waits until its item is durably written, but the writes
 * happen in batches. While one batch is being written, newly submitted items gather for the next, so under load many
 * items share one transaction and at low load an item is written at once (no timer, no added delay).
 */
export class GroupCommit<T, R = void> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private writers = 0;

  constructor(
    /** Writes a whole batch (one transaction); returns one result per item, in order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 500,
    /** Batches written at the same time (each in its own transaction). */
    private readonly maxWriters = 1,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.writers < this.maxWriters) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writers++;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.write(batch.map((b) => b.item));
          for (const [i, b] of batch.entries()) b.resolve(results[i] as R);
        } catch (error) {
          // The batch's transaction rolled back: nothing of it was written, and every caller is told.
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.writers--;
    }
  }
}
