import { z } from 'zod';
import { defineJob } from '../../jobs/queue';

/**
 * Drain the stored webhook bodies not processed yet (`meta_inbound_events.status = 'received'`), in batches: fan
 * their leadgen changes out into per-workspace captures. The stored row is the durable work item (one insert per
 * webhook keeps ingest fast); this job is enqueued, coalesced, after webhooks arrive, and every minute as a sweep.
 */
export const metaInbound = defineJob({
  name: 'meta.inbound',
  payload: z.object({}).nullish(),
  retryLimit: 20,
  retryDelay: 2,
  wakeOnSend: true,
  concurrency: 2,
});

/** Fetch one Meta lead from the Graph API and turn it into a lead (idempotent on the leadgen id). */
export const metaCapture = defineJob({
  name: 'meta.capture',
  payload: z.object({ workspaceId: z.uuid(), leadgenId: z.string().regex(/^\d{1,40}$/) }),
  // Meta's throttles and token problems are handled by re-scheduling (see capture.service); these retries cover
  // crashes and database errors.
  retryLimit: 10,
  retryDelay: 5,
  wakeOnSend: true,
  // Up to 12 captures in flight per process: most of a capture's time is waiting on Meta and the database.
  concurrency: 2,
  batchSize: 6,
});

/**
 * The captures one webhook drain fanned out, run together by one worker (ids only). One job per drain instead of one
 * per lead: the queue's own writes stop costing more than the capture. A capture that throws continues as a
 * `meta.capture` job of its own, with its own retries and dead letter.
 */
export const CAPTURE_BATCH_MAX = 200;

export const metaCaptureBatch = defineJob({
  name: 'meta.capture_batch',
  payload: z.object({
    captures: z
      .array(z.object({ workspaceId: z.uuid(), leadgenId: z.string().regex(/^\d{1,40}$/) }))
      .min(1)
      .max(CAPTURE_BATCH_MAX),
  }),
  retryLimit: 10,
  retryDelay: 5,
  wakeOnSend: true,
  concurrency: 6,
});

/** Page every subscribed form's leads since its cursor; captures what no webhook brought. */
export const metaReconcile = defineJob({
  name: 'meta.reconcile',
  payload: z.object({
    workspaceId: z.uuid(),
    pageRowId: z.uuid().optional(),
    /** Look back this many days instead of from the cursor (the 90-day backfill on connect). */
    backfillDays: z.number().int().min(1).max(90).optional(),
  }),
  retryLimit: 5,
  retryDelay: 30,
  expireInSeconds: 60 * 60,
});

/** The cron entry: enqueue `meta.reconcile` for every workspace with a connected Page. */
export const metaReconcileAll = defineJob({
  name: 'meta.reconcile_all',
  payload: z.object({}).nullish(),
  retryLimit: 1,
});

/** The cron entry: `debug_token` every connection and Page token; invalid ones need reconnecting. */
export const metaTokenCheck = defineJob({
  name: 'meta.token_check',
  payload: z.object({}).nullish(),
  retryLimit: 1,
});

/** Email the workspace's admins that Facebook needs reconnecting (sent once per problem). */
export const metaReconnectEmail = defineJob({
  name: 'meta.reconnect_email',
  payload: z.object({ workspaceId: z.uuid() }),
  retryLimit: 5,
});

/** Meta's data-deletion callback: erase what came from that Facebook user's connections (P33). */
export const metaDataDeletion = defineJob({
  name: 'meta.data_deletion',
  payload: z.object({ requestId: z.uuid() }),
  retryLimit: 10,
  retryDelay: 60,
});
