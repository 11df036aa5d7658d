import type { Db } from '../../db/client';

/** The timeline, notes and tasks of leads and contacts. To be implemented (issue 4). */
export class ActivityService {
  constructor(readonly deps: { db: Db }) {}
}
