/**
 * Runs at most `concurrency` tasks at once and lets at most `queueLimit` more wait (first come, first
 * served). Beyond that `tryRun` refuses at once instead of queueing: a burst is answered quickly rather
 * than making every caller wait behind it.
 */
export class BoundedQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be at least 1');
    if (!Number.isInteger(queueLimit) || queueLimit < 0) throw new RangeError('queueLimit must be 0 or more');
  }

  /** Whether a task offered now would be accepted. */
  get hasRoom(): boolean {
    return this.running < this.concurrency || this.waiting.length < this.queueLimit;
  }

  get runningCount(): number {
    return this.running;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** The task's result, or `undefined` (the task not started) when every slot and queue place is taken. */
  tryRun<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (!this.hasRoom) return undefined;
    return this.run(task);
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    // release() hands its slot straight to the next waiter, so `running` already counts it.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
