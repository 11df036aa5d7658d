import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db';
import type { Database, Db } from '../../db/client';
import * as schema from '../../db/schema';
import { contacts, workspaces } from '../../db/schema';
import { newId } from '../../lib/ids';
import { type ContactRow, ContactsRepository } from './contacts.repository';

/**
 * The duplicate-candidate lookup on a real database: it must reach candidates through `contacts_email_idx` and
 * `contacts_phone_last4_idx`, not read every contact of the workspace. Both are expression indexes, so a change to the
 * query's expressions that the indexes no longer match fails here.
 */

const WS = newId();
const OTHER_WS = newId();
/** Enough contacts that a scan of the workspace costs the planner more than the indexes do. */
const FILLER = 5_000;

describe('duplicate candidates on a real database', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let repo: ContactsRepository;
  /** The SQL and parameters of the last query the repository ran. */
  let last: { sql: string; params: unknown[] } | undefined;

  const insertContact = async (workspaceId: string, values: { name: string; email?: string; phone?: string }) => {
    const [row] = await database.db
      .insert(contacts)
      .values({ workspaceId, id: newId(), ...values })
      .returning();
    return row!;
  };

  /** EXPLAIN of the query `duplicateCandidates` runs for `contact`. */
  const planOf = async (contact: ContactRow): Promise<string> => {
    await repo.duplicateCandidates(WS, contact, { limit: 200 });
    const { sql: text, params } = last!;
    const rows = database.pglite
      ? (await database.pglite.query<Record<string, string>>(`explain ${text}`, params)).rows
      : (await database.pool!.query<Record<string, string>>(`explain ${text}`, params)).rows;
    return rows.map((r) => Object.values(r)[0]).join('\n');
  };

  beforeAll(async () => {
    ({ database, drop } = await createTestDatabase());
    const logger = { logQuery: (text: string, params: unknown[]) => (last = { sql: text, params }) };
    const logged = database.pglite
      ? drizzlePglite(database.pglite, { schema, logger })
      : drizzlePg(database.pool!, { schema, logger });
    repo = new ContactsRepository(logged as unknown as Db);
    await database.db.insert(workspaces).values([
      { id: WS, name: 'Duplicates' },
      { id: OTHER_WS, name: 'Elsewhere' },
    ]);
    for (const workspaceId of [WS, OTHER_WS]) {
      await database.db.execute(sql`
        insert into contacts (workspace_id, id, name, email, phone)
        select ${workspaceId}::uuid, gen_random_uuid(), 'Filler ' || i, 'filler' || i || '@example.com',
          '+601' || lpad(((i * 7919) % 100000000)::text, 8, '0')
        from generate_series(1, ${FILLER}) i`);
    }
    await database.db.execute(sql`analyze contacts`);
  });
  afterAll(() => drop?.());

  it('finds the same email and the same phone ending through their indexes', async () => {
    const subject = await insertContact(WS, { name: 'Nurul Aini', email: 'nurul@example.com', phone: '+60123450001' });
    const sameEmail = await insertContact(WS, { name: 'N. Aini', email: ' NURUL@Example.com ' });
    const samePhoneEnding = await insertContact(WS, { name: 'Nurul Aine', phone: '013-999 0001' });
    await insertContact(OTHER_WS, { name: 'Nurul Aini', email: 'nurul@example.com', phone: '+60123450001' });

    const found = (await repo.duplicateCandidates(WS, subject, { limit: 200 })).map((c) => c.id);
    expect(found).toContain(sameEmail.id);
    expect(found).toContain(samePhoneEnding.id);
    expect(found).not.toContain(subject.id);

    const plan = await planOf(subject);
    expect(plan).toContain('contacts_email_idx');
    expect(plan).toContain('contacts_phone_last4_idx');
  });

  it('looks up a contact with only a phone by its ending alone', async () => {
    const subject = await insertContact(WS, { name: 'Phone Only', phone: '+60123450002' });
    const plan = await planOf(subject);
    expect(plan).toContain('contacts_phone_last4_idx');
    expect(plan).not.toContain('contacts_created_idx');
  });
});
