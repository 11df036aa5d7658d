import { z } from 'zod';
import { defineJob } from '../../jobs/queue';

/**
 * Runs one started import. The payload is ids only; the mapping and options live in the operation's details. A
 * retried job (after a crash or a kill) resumes after the last committed chunk, so rows are written exactly once.
 */
export const runImportJob = defineJob({
  name: 'imports.run',
  payload: z.object({ workspaceId: z.uuid(), operationId: z.uuid() }),
  retryLimit: 5,
  retryDelay: 5,
  // A job whose worker died is retried once it expires. A run that is still alive when that happens loses nothing:
  // the second run finds the checkpoint moved under it and stops (see ImportsService.runImport).
  expireInSeconds: 30 * 60,
});
