import { sql } from 'drizzle-orm';
import { fromDrizzle, fromPglite, PgBoss } from 'pg-boss';
import type { z } from 'zod';
import type { Database, DbOrTx } from '../db/client';
import { AppError } from '../lib/errors';
import type { Logger } from '../lib/logger';

/**
 * A job kind: a name, a zod payload and its retry policy. Payloads carry ids, never personal data or secrets, because
 * the queue's rows outlive the records they point to (erasure must not have to search job payloads).
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
  retryLimit?: number;
  /** Seconds before the first retry; doubled each time when `retryBackoff` (the default). */
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  /**
   * A running job must show life this often (the worker does it automatically); a worker killed mid-job is noticed
   * after this long and the job is retried, instead of waiting for `expireInSeconds`.
   */
  heartbeatSeconds?: number;
  /**
   * Latency-sensitive kinds (lead capture): workers are woken as soon as such a job is committed (in-process at once,
   * across processes by PostgreSQL NOTIFY where available) instead of waiting for the next poll.
   */
  wakeOnSend?: boolean;
  /** How many workers of this kind one process runs (default 1). */
  concurrency?: number;
  /**
   * Jobs one worker claims per fetch and runs side by side (default 1). While fetches come back full the worker
   * fetches again at once instead of waiting for the next poll, so a backlog drains at the handler's pace.
   */
  batchSize?: number;
}

export const defineJob = <S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> => def;

export type JobHandler<S extends z.ZodType> = (
  payload: z.infer<S>,
  ctx: { jobId: string; log: Logger },
) => Promise<void>;

interface Registered {
  def: JobDefinition;
  handler: JobHandler<z.ZodType>;
}

export interface FailedJob {
  id: string;
  queue: string;
  error: string;
  createdOn: Date;
  completedOn: Date | null;
  retryCount: number;
}

const DEAD_LETTER_SUFFIX = '__dead';

/** The durable job queue (pg-boss in the same database), with one worker loop per registered job kind. */
export class JobQueue {
  readonly boss: PgBoss;
  private readonly definitions = new Map<string, Registered>();
  /** Worker ids by job name, for waking this process's workers. */
  private readonly workerIds = new Map<string, string[]>();
  private started = false;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly pollSeconds = 2,
  ) {
    this.boss = database.pglite
      ? new PgBoss({ db: fromPglite(database.pglite), backend: 'pglite', schema: 'pgboss' })
      : new PgBoss({ connectionString: database.connectionString!, schema: 'pgboss', max: 4 });
    this.boss.on('error', (error) => this.log.error({ err: error }, 'job queue error'));
  }

  /** Declares who runs a job kind. Every kind that is sent must be registered before `start()`. */
  handle<S extends z.ZodType>(def: JobDefinition<S>, handler: JobHandler<S>): void {
    this.definitions.set(def.name, { def, handler: handler as JobHandler<z.ZodType> });
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const { def } of this.definitions.values()) {
      const deadLetter = def.name + DEAD_LETTER_SUFFIX;
      await this.boss.createQueue(deadLetter, { retentionSeconds: 90 * 24 * 3600 });
      const options = {
        retryLimit: def.retryLimit ?? 5,
        retryDelay: def.retryDelay ?? 10,
        retryBackoff: def.retryBackoff ?? true,
        expireInSeconds: def.expireInSeconds ?? 15 * 60,
        heartbeatSeconds: def.heartbeatSeconds ?? 30,
        deadLetter,
        ...(def.wakeOnSend ? { notify: true } : {}),
      };
      await this.boss.createQueue(def.name, options);
      // An existing queue keeps the options it was created with; bring it up to date with the definition.
      await this.boss.updateQueue(def.name, options);
    }
    this.started = true;
  }

  /**
   * Enqueues a job. Pass `tx` to make the job part of the caller's transaction: it exists only if that commits.
   */
  async send<S extends z.ZodType>(
    def: JobDefinition<S>,
    payload: z.infer<S>,
    options: { tx?: DbOrTx; startAfter?: Date | number; singletonKey?: string } = {},
  ): Promise<string | null> {
    const data = def.payload.parse(payload) as object;
    const sendOptions = {
      startAfter: options.startAfter,
      singletonKey: options.singletonKey,
      ...(options.tx ? { db: fromDrizzle(options.tx as never, sql as never) } : {}),
    };
    return this.boss.send(def.name, data, sendOptions);
  }

  /**
   * Enqueues many jobs of one kind in one statement (same transaction rule as `send`). The queue's retry policy
   * applies to each, as with `send`.
   */
  async sendMany<S extends z.ZodType>(
    def: JobDefinition<S>,
    payloads: z.infer<S>[],
    options: { tx?: DbOrTx } = {},
  ): Promise<void> {
    if (payloads.length === 0) return;
    const jobs = payloads.map((p) => ({ data: def.payload.parse(p) as object }));
    await this.boss.insert(def.name, jobs, options.tx ? { db: fromDrizzle(options.tx as never, sql as never) } : {});
  }

  /**
   * Runs a registered job kind on a cron schedule (UTC), e.g. `* * * * *` for every minute. pg-boss keeps one
   * schedule per queue across every process, so calling this from each worker at start is safe.
   */
  async schedule<S extends z.ZodType>(def: JobDefinition<S>, cron: string, payload?: z.infer<S>): Promise<void> {
    if (!this.definitions.has(def.name)) throw new Error(`Job ${def.name} is not registered`);
    const data = payload === undefined ? null : (def.payload.parse(payload) as object);
    await this.boss.schedule(def.name, cron, data, { tz: 'UTC' });
  }

  /** Starts polling every registered queue. Handlers that throw are retried with backoff, then dead-lettered. */
  async work(): Promise<void> {
    for (const { def, handler } of this.definitions.values()) {
      const ids: string[] = [];
      const batchSize = def.batchSize ?? 1;
      const run = async (job: { id: string; data: unknown }) => {
        const payload = def.payload.safeParse(job.data);
        if (!payload.success) throw new Error(`Invalid payload for ${def.name}: ${payload.error.message}`);
        await handler(payload.data, { jobId: job.id, log: this.log.child({ job: def.name, jobId: job.id }) });
      };
      for (let i = 0; i < (def.concurrency ?? 1); i++) {
        const id = def.wakeOnSend
          ? await this.boss.work(
              def.name,
              {
                // Never let the LISTEN/NOTIFY backstop stretch the idle poll to pg-boss's 30 s default, and fetch
                // again at once while batches come back full (its ready-count burst trigger reads a statistic
                // refreshed once a minute, too late for a backlog of captures).
                pollingIntervalSeconds: 0.5,
                notifyPollingIntervalSeconds: 0.5,
                batchSize,
                burstWhenBatchFull: batchSize > 1,
                burstWhenReadyExceeds: 1,
                perJobResults: true,
              },
              async (jobs) =>
                Promise.all(
                  jobs.map(async (job) => {
                    try {
                      await run(job);
                      return { id: job.id, status: 'completed' as const };
                    } catch (error) {
                      return { id: job.id, status: 'failed' as const, output: errorOutput(error) };
                    }
                  }),
                ),
            )
          : await this.boss.work(
              def.name,
              { pollingIntervalSeconds: this.pollSeconds, batchSize: 1 },
              async ([job]) => {
                if (job) await run(job);
              },
            );
        ids.push(id);
      }
      this.workerIds.set(def.name, ids);
    }
  }

  /** Wakes this process's workers of a kind (call after the transaction that sent its jobs has committed). */
  wake(def: JobDefinition): void {
    for (const id of this.workerIds.get(def.name) ?? []) this.boss.notifyWorker(id);
  }

  /** Jobs ready to run or running now (retries waiting for their backoff are not counted). */
  async pendingCount(): Promise<number> {
    const result = await this.boss
      .getDb()
      .executeSql(
        "select count(*)::int as n from pgboss.job where state in ('created', 'active') and start_after <= now() and name not like '%__dead'",
      );
    return (result.rows[0] as { n: number } | undefined)?.n ?? 0;
  }

  /** Failed jobs of one workspace (the dead-letter view), newest first. */
  async listFailed(workspaceId: string): Promise<FailedJob[]> {
    const failed: FailedJob[] = [];
    for (const name of this.definitions.keys()) {
      const jobs = await this.boss.findJobs<Record<string, unknown>>(name, { data: { workspaceId }, limit: 1000 });
      for (const job of jobs) {
        if (job.state !== 'failed') continue;
        failed.push({
          id: job.id,
          queue: name,
          error: describeOutput(job.output),
          createdOn: job.createdOn,
          completedOn: job.completedOn,
          retryCount: job.retryCount,
        });
      }
    }
    return failed.sort((a, b) => b.createdOn.getTime() - a.createdOn.getTime());
  }

  async retryFailed(workspaceId: string, jobId: string): Promise<void> {
    for (const name of this.definitions.keys()) {
      const [job] = await this.boss.findJobs<Record<string, unknown>>(name, { id: jobId, data: { workspaceId } });
      if (job?.state === 'failed') {
        await this.boss.retry(name, jobId);
        return;
      }
    }
    throw new AppError('not_found', 'This failed job was not found.');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, close: !this.database.pglite, timeout: 20_000 });
  }
}

/** What pg-boss records as a failed job's output: the message, never a stack (it may be shown to admins). */
function errorOutput(error: unknown): { message: string } {
  return { message: error instanceof Error ? error.message : String(error) };
}

function describeOutput(output: unknown): string {
  if (output && typeof output === 'object' && 'message' in output) return String(output.message);
  return output ? JSON.stringify(output).slice(0, 500) : 'Unknown error';
}
