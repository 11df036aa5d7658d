import type { Db } from '../../db/client';

/** Long-running work (imports, exports, bulk actions) with progress the web app polls. To be implemented (issue 4). */
export class OperationsService {
  constructor(readonly deps: { db: Db }) {}
}
