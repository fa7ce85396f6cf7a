import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config';
import { LicenseTransactionsService } from './license-transactions.service';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function service(poolSize: number): {
  transactions: LicenseTransactionsService;
  open: () => number;
  peak: () => number;
} {
  let open = 0;
  let peak = 0;
  const dataSource = {
    transaction: async <T>(work: (manager: EntityManager) => Promise<T>) => {
      open++;
      peak = Math.max(peak, open);
      try {
        // The work under test never touches its manager.
        return await work(Object.create(EntityManager.prototype) as EntityManager);
      } finally {
        open--;
      }
    },
  } as unknown as DataSource;
  const config = { database: { poolSize } } as AppConfig;
  return { transactions: new LicenseTransactionsService(dataSource, config), open: () => open, peak: () => peak };
}

describe('LicenseTransactionsService', () => {
  it('runs the transactions of one license one after the other, in arrival order, prepare first', async () => {
    const { transactions } = service(10);
    const order: string[] = [];
    const gates = [0, 1, 2].map(() => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      return { gate, release };
    });
    const runs = [0, 1, 2].map((i) =>
      transactions.run(
        7,
        async () => order.push(`prepare ${i}`),
        async () => {
          order.push(`start ${i}`);
          await gates[i].gate;
          order.push(`end ${i}`);
          return i;
        },
      ),
    );
    await tick();
    expect(order).toEqual(['prepare 0', 'start 0']);
    gates[2].release();
    gates[1].release();
    await tick();
    expect(order).toEqual(['prepare 0', 'start 0']);
    gates[0].release();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(order).toEqual([
      'prepare 0',
      'start 0',
      'end 0',
      'prepare 1',
      'start 1',
      'end 1',
      'prepare 2',
      'start 2',
      'end 2',
    ]);
  });

  it('keeps two pool connections free across licenses, and a failure frees its turn', async () => {
    const { transactions, peak, open } = service(5);
    const slow = () => new Promise((resolve) => setTimeout(resolve, 5));
    const runs = Array.from({ length: 12 }, (_, i) => transactions.run(i, async () => undefined, slow));
    const failing = transactions.run(
      0,
      async () => undefined,
      async () => Promise.reject(new Error('refused')),
    );
    await expect(failing).rejects.toThrow('refused');
    await Promise.all(runs);
    expect(peak()).toBe(3);
    expect(open()).toBe(0);
    await expect(
      transactions.run(
        0,
        async () => 'prepared',
        async (_manager, prepared) => prepared,
      ),
    ).resolves.toBe('prepared');
  });
});
