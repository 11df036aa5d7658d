import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase } from '../../test/support/db';
import type { Database } from '../db/client';
import { newId } from '../lib/ids';
import { createLogger } from '../lib/logger';
import { defineJob, JobQueue } from './queue';

const flaky = defineJob({
  name: 'test.flaky',
  payload: z.object({ workspaceId: z.uuid(), label: z.string() }),
  retryLimit: 2,
  retryDelay: 1,
  retryBackoff: false,
});

const recorded = defineJob({
  name: 'test.recorded',
  payload: z.object({ workspaceId: z.uuid(), label: z.string() }),
});

/** Polls until `check` holds (the worker runs on its own schedule); fails with `what` after ~30 s. */
async function until<T>(what: string, check: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

describe('JobQueue on a real database', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let queue: JobQueue;
  /** Labels the flaky job should succeed on (otherwise it throws). */
  const healed = new Set<string>();
  const flakyRuns: string[] = [];
  const recordedRuns: string[] = [];
  const workspaceA = newId();
  const workspaceB = newId();

  beforeAll(async () => {
    ({ database, drop } = await createTestDatabase());
    queue = new JobQueue(database, createLogger('silent'), 0.5);
    queue.handle(flaky, async ({ label }) => {
      flakyRuns.push(label);
      if (!healed.has(label)) throw new Error(`the remote service refused ${label}`);
    });
    queue.handle(recorded, async ({ label }) => {
      recordedRuns.push(label);
    });
    await queue.start();
    await queue.work();
  });
  afterAll(async () => {
    await queue?.stop();
    await drop?.();
  });

  it('retries a failing job retryLimit times, then lists it as failed for its workspace only', async () => {
    const id = await queue.send(flaky, { workspaceId: workspaceA, label: 'first' });
    expect(id).toBeTruthy();
    const failed = await until('the job to fail for good', async () =>
      (await queue.listFailed(workspaceA)).find((j) => j.id === id),
    );
    expect(failed).toMatchObject({ id, queue: 'test.flaky', error: 'the remote service refused first', retryCount: 2 });
    // One first attempt plus two retries.
    expect(flakyRuns.filter((l) => l === 'first')).toHaveLength(3);
    expect(await queue.listFailed(workspaceB)).toEqual([]);
  });

  it('retryFailed runs it again; once it succeeds it leaves the failed list', async () => {
    const [failed] = await queue.listFailed(workspaceA);
    expect(failed).toBeDefined();
    // Another workspace cannot retry it.
    await expect(queue.retryFailed(workspaceB, failed!.id)).rejects.toMatchObject({ code: 'not_found' });

    healed.add('first');
    const runsBefore = flakyRuns.length;
    await queue.retryFailed(workspaceA, failed!.id);
    await until('the retried job to complete', async () => {
      const [job] = await queue.boss.findJobs(flaky.name, { id: failed!.id });
      return job?.state === 'completed';
    });
    expect(flakyRuns.slice(runsBefore)).toEqual(['first']);
    expect(await queue.listFailed(workspaceA)).toEqual([]);
    // A job that is not failed (any more) cannot be retried.
    await expect(queue.retryFailed(workspaceA, failed!.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a job sent inside a transaction that rolls back never exists; one that commits runs exactly once', async () => {
    let rolledBackId: string | null = null;
    await expect(
      database.db.transaction(async (tx) => {
        rolledBackId = await queue.send(recorded, { workspaceId: workspaceA, label: 'rolled-back' }, { tx });
        throw new Error('abort the business change');
      }),
    ).rejects.toThrow('abort the business change');
    expect(rolledBackId).toBeTruthy();

    let committedId: string | null = null;
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      committedId = await queue.send(recorded, { workspaceId: workspaceA, label: 'committed' }, { tx });
    });
    expect(committedId).toBeTruthy();

    await until('the committed job to complete', async () => {
      const [job] = await queue.boss.findJobs(recorded.name, { id: committedId! });
      return job?.state === 'completed';
    });
    expect(recordedRuns.filter((l) => l === 'committed')).toEqual(['committed']);
    expect(recordedRuns).not.toContain('rolled-back');
    expect(await queue.boss.findJobs(recorded.name, { id: rolledBackId! })).toEqual([]);
    expect(await queue.boss.findJobs(recorded.name, { data: { label: 'rolled-back' } })).toEqual([]);
    expect(await queue.pendingCount()).toBe(0);
  });

  it('refuses a payload that does not match the job definition, before anything is stored', async () => {
    await expect(queue.send(recorded, { workspaceId: 'not-a-uuid', label: 'x' } as never)).rejects.toThrow();
    expect(await queue.boss.findJobs(recorded.name, { data: { label: 'x' } })).toEqual([]);
  });
});
