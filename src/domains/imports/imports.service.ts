import type { Db } from '../../db/client';

/** CSV import (upload, mapping, dry run, resumable job, rejects) and streamed export. To be implemented (issue 4). */
export class ImportsService {
  constructor(readonly deps: { db: Db }) {}
}
