import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('GroupCommit', () => {
  it('writes a lone item at once, and gathers items that arrive during a write into the next batch', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await tick();
      return items.map((n) => n * 10);
    });
    const first = group.submit(1);
    const rest = [2, 3, 4].map((n) => group.submit(n));
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every item of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const group = new GroupCommit<string>(async (items) => {
      await tick();
      if (fail) {
        fail = false;
        throw new Error('rolled back');
      }
      return items.map(() => undefined);
    });
    const a = group.submit('a');
    await expect(a).rejects.toThrow('rolled back');
    await expect(group.submit('b')).resolves.toBeUndefined();
  });

  it('caps a batch at maxBatch items', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
      await tick();
      return items.map(() => undefined);
    }, 3);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => group.submit(n)));
    expect(sizes).toEqual([1, 3, 3]);
  });

  it('with maxWriters 2, a second batch is written while the first still runs, and no more than two at once', async () => {
    let running = 0;
    let most = 0;
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        batches.push(items);
        await tick();
        running--;
        return items.map((n) => -n);
      },
      2,
      2,
    );
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => group.submit(n)));
    expect(results).toEqual([-1, -2, -3, -4, -5, -6]);
    expect(most).toBe(2);
    expect(batches[0]).toEqual([1]);
    expect(batches[1]).toEqual([2]);
    expect(batches.slice(2).map((b) => b.length)).toEqual([2, 2]);
    expect(batches.flat().sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
