import type { Db } from '../../db/client';

/** Leads: create (identity-resolved, routed), read, update, delete, query, bulk. To be implemented (issue 4). */
export class LeadsService {
  constructor(readonly deps: { db: Db }) {}
}
