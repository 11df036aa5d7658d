import type { Db } from '../../db/client';

/** Saved leads views, private or shared. To be implemented (issue 4). */
export class ViewsService {
  constructor(readonly deps: { db: Db }) {}
}
