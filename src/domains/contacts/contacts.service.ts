import type { Db } from '../../db/client';

/** Contacts: identity resolution, duplicates, merge and undo. To be implemented (issue 4). */
export class ContactsService {
  constructor(readonly deps: { db: Db }) {}
}
