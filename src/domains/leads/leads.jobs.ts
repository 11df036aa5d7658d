import { z } from 'zod';
import { defineJob } from '../../jobs/queue';

/**
 * A bulk action over more than 500 leads, run in chunks of 1,000. The action and the selection live in the
 * operation's `details` (the payload carries ids only); progress is `operations.processed`.
 */
export const runBulkLeadAction = defineJob({
  name: 'leads.bulk_action',
  payload: z.object({ workspaceId: z.uuid(), operationId: z.uuid() }),
  retryLimit: 3,
  expireInSeconds: 60 * 60,
});
