import { BoundedQueue } from './bounded-queue';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('BoundedQueue', () => {
  it('runs at most `concurrency` tasks at once, in arrival order', async () => {
    const queue = new BoundedQueue(2, 10);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    const results = gates.map((gate, index) =>
      queue.tryRun(async () => {
        started.push(index);
        peak = Math.max(peak, ++active);
        await gate.promise;
        active--;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(queue.waitingCount).toBe(3);
    for (const gate of gates) gate.resolve();
    // tryRun answers undefined only when it refuses, which the counts above rule out.
    expect(await Promise.all(results as Promise<number>[])).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(queue.runningCount).toBe(0);
  });

  it('refuses at once, without starting the task, when the slots and the queue are full', async () => {
    const queue = new BoundedQueue(1, 2);
    const gate = deferred();
    const accepted = [1, 2, 3].map(() => queue.tryRun(() => gate.promise));
    expect(accepted.every((result) => result !== undefined)).toBe(true);
    expect(queue.hasRoom).toBe(false);
    const refusedTask = jest.fn(() => Promise.resolve());
    expect(queue.tryRun(refusedTask)).toBeUndefined();
    expect(refusedTask).not.toHaveBeenCalled();
    gate.resolve();
    await Promise.all(accepted as Promise<void>[]);
    expect(queue.hasRoom).toBe(true);
  });

  it('frees the slot of a task that fails', async () => {
    const queue = new BoundedQueue(1, 0);
    await expect(queue.tryRun(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.tryRun(() => Promise.resolve('next'))).toBe('next');
  });
});
